using RemoteDx.Dicom.Tests.Support;

namespace RemoteDx.Core.Tests.Inference;

/// <summary>Makes test models with tools/inference/make_test_model.py (Debian's python3-torch) in a fresh models
/// folder, and finds the repository's tools.</summary>
internal static class ModelFolder
{
    public const string TorchPackage = "python3-torch python3-numpy";

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RemoteDx.sln")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("RemoteDx.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Tool(string relative) => Path.Combine(RepoRoot, relative);

    /// <summary>Writes model <paramref name="name"/> into <paramref name="modelsDir"/>; returns its folder.</summary>
    public static string Make(string modelsDir, string name, params string[] extra)
    {
        ExternalTools.RunOk(ExternalTools.Python, TorchPackage,
            [Tool("tools/inference/make_test_model.py"), modelsDir, "--name", name, .. extra]);
        return Path.Combine(modelsDir, name);
    }
}

/// <summary>One models folder with a float32 test network, shared by a test class.</summary>
public sealed class TestNetFixture : IDisposable
{
    public string ModelsDir { get; } = ExternalTools.TempDir();

    public string TestNet { get; }

    public TestNetFixture()
    {
        TestNet = ModelFolder.Make(ModelsDir, "testnet");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(ModelsDir, true);
        }
        catch (IOException)
        {
        }
    }
}
