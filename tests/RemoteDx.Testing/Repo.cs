namespace RemoteDx.Testing;

/// <summary>The checkout the tests run from: the folder holding RemoteDx.sln, found upwards from the test assembly.</summary>
public static class Repo
{
    private static readonly Lazy<string> RootDirectory = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "RemoteDx.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("RemoteDx.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => RootDirectory.Value;

    /// <summary>A path inside the checkout, e.g. <c>Repo.Path("tools/inference/make_test_model.py")</c>.</summary>
    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);
}
