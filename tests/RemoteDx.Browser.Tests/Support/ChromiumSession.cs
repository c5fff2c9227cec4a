using System.Collections.ObjectModel;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace RemoteDx.Browser.Tests.Support;

/// <summary>Headless Chromium with a fresh profile, driven by chromedriver. Before any page script runs it installs
/// recorders for CSP violations and alert() calls; Dispose saves a screenshot named after the test.</summary>
public sealed class ChromiumSession : IDisposable
{
    // Runs in every new document before the page's own scripts (CDP Page.addScriptToEvaluateOnNewDocument).
    private const string Recorders = """
        window.__rdx = { csp: [], alerts: [] };
        document.addEventListener('securitypolicyviolation',
          (e) => window.__rdx.csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
        for (const name of ['alert', 'confirm', 'prompt']) {
          const real = window[name];
          window[name] = function (m) { window.__rdx.alerts.push(name + ':' + String(m)); return real.apply(window, arguments); };
        }
        """;

    private readonly TempDirectory _profile;
    private readonly string _testName;
    private readonly List<string> _consoleLog = [];

    public ChromiumSession(Uri baseUrl, string testName, string language = "en-US", int width = 1400, int height = 900)
    {
        Paths.RequireBrowser();
        BaseUrl = baseUrl;
        _testName = testName;
        _profile = new TempDirectory("chromium");
        var options = new ChromeOptions { BinaryLocation = Paths.Chromium };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
            $"--user-data-dir={_profile}", $"--window-size={width},{height}", $"--lang={language}");
        options.AddUserProfilePreference("intl.accept_languages", language);
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Paths.ChromeDriver)!, Path.GetFileName(Paths.ChromeDriver)!);
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        Driver.ExecuteCdpCommand("Page.addScriptToEvaluateOnNewDocument", new Dictionary<string, object?> { ["source"] = Recorders });
    }

    public ChromeDriver Driver { get; }

    public Uri BaseUrl { get; }

    public void Open(string hash = "") => Driver.Navigate().GoToUrl(new Uri(BaseUrl, "/" + hash));

    public T Wait<T>(Func<IWebDriver, T> condition, int seconds = 30, string? what = null)
    {
        var wait = new WebDriverWait(Driver, TimeSpan.FromSeconds(seconds)) { Message = what ?? "condition" };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait.Until(condition);
    }

    public IWebElement WaitFor(string css, int seconds = 30) =>
        Wait(d => d.FindElements(By.CssSelector(css)).FirstOrDefault(e => e.Displayed), seconds, $"waiting for {css}")!;

    public object? Js(string script, params object[] args) => Driver.ExecuteScript(script, args);

    public string Text(string css) => WaitFor(css).Text;

    /// <summary>Signs in through the login form and waits for the worklist.</summary>
    public void SignIn(TestUser user)
    {
        Open("#/login");
        var name = WaitFor("#login-username");
        name.Clear();
        name.SendKeys(user.Name);
        var pass = Driver.FindElement(By.Id("login-password"));
        pass.Clear();
        pass.SendKeys(user.Password);
        Driver.FindElement(By.Id("login-submit")).Click();
        WaitFor("#worklist");
    }

    /// <summary>Rows of the worklist once it has loaded (the section gets data-version after the first answer).</summary>
    public ReadOnlyCollection<IWebElement> WorklistRows()
    {
        Wait(d => d.FindElement(By.CssSelector(".worklist-view")).GetAttribute("data-version") is not null, what: "worklist loaded");
        return Driver.FindElements(By.CssSelector("#worklist-rows tr"));
    }

    public IReadOnlyList<string> CspViolations() =>
        ((IEnumerable<object>?)Js("return window.__rdx ? window.__rdx.csp : []") ?? []).Select(o => o.ToString()!).ToList();

    public IReadOnlyList<string> AlertCalls() =>
        ((IEnumerable<object>?)Js("return window.__rdx ? window.__rdx.alerts : []") ?? []).Select(o => o.ToString()!).ToList();

    /// <summary>Console and network messages so far (each read drains chromedriver's buffer, so they are kept).</summary>
    public IReadOnlyList<string> ConsoleLog()
    {
        _consoleLog.AddRange(Driver.Manage().Logs.GetLog(LogType.Browser).Select(e => $"{e.Level}: {e.Message}"));
        return _consoleLog;
    }

    public string Screenshot(string? suffix = null)
    {
        var path = Path.Combine(Paths.ArtifactDirectory, _testName + (suffix is null ? "" : "-" + suffix) + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Screenshot();
        }
        catch (WebDriverException)
        {
        }
        Driver.Quit();
        Driver.Dispose();
        _profile.Dispose();
    }
}
