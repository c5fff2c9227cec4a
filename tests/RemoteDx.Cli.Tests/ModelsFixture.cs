using RemoteDx.Testing;

namespace RemoteDx.Cli.Tests;

/// <summary>A models folder with the test network and one broken model (checksum mismatch), shared by a class.</summary>
public sealed class ModelsFixture : IDisposable
{
    private readonly TempDirectory _dir = new("models");

    public string ModelsDir => _dir.Path;

    public string TestNet { get; }

    public ModelsFixture()
    {
        TestNet = TestModels.Make(ModelsDir, "testnet");
        var bad = TestModels.Make(ModelsDir, "tampered");
        File.AppendAllText(Path.Combine(bad, "model.onnx"), "x");
    }

    public void Dispose() => _dir.Dispose();
}
