using RemoteDx.Core.Tests.Inference;
using RemoteDx.Dicom.Tests.Support;

namespace RemoteDx.Cli.Tests;

/// <summary>A models folder with the test network and one broken model (checksum mismatch), shared by a class.</summary>
public sealed class ModelsFixture : IDisposable
{
    public string ModelsDir { get; } = ExternalTools.TempDir();

    public string TestNet { get; }

    public ModelsFixture()
    {
        TestNet = ModelFolder.Make(ModelsDir, "testnet");
        var bad = ModelFolder.Make(ModelsDir, "tampered");
        File.AppendAllText(Path.Combine(bad, "model.onnx"), "x");
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
