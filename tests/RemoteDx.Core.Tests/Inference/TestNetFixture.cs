using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Inference;

/// <summary>One models folder with a float32 test network, shared by a test class.</summary>
public sealed class TestNetFixture : IDisposable
{
    private readonly TempDirectory _dir = new("models");

    public string ModelsDir => _dir.Path;

    public string TestNet { get; }

    public TestNetFixture()
    {
        TestNet = TestModels.Make(ModelsDir, "testnet");
    }

    public void Dispose() => _dir.Dispose();
}
