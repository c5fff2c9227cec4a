namespace RemoteDx.Browser.Tests.Support;

/// <summary>The browser, its driver and the viewer's files. A missing browser or driver fails the test with the Debian
/// package to install (tests/debian-packages.tsv); nothing is skipped.</summary>
public static class Paths
{
    public static string Chromium => Tool.Require("chromium");

    public static string ChromeDriver => Tool.Require("chromedriver");

    public static void RequireBrowser()
    {
        _ = Chromium;
        _ = ChromeDriver;
    }

    public static string WwwRoot => Repo.Path("src/RemoteDx/wwwroot");

    /// <summary>Screenshots go to TestResults/browser at the checkout root (test.sh's results directory, kept by CI).</summary>
    public static string ArtifactDirectory
    {
        get
        {
            var dir = Repo.Path("TestResults/browser");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }
}
