namespace RemoteDx.Testing;

/// <summary>Small ONNX models made by tools/inference/make_test_model.py with Debian's python3-torch (random weights;
/// the test network applies to CR, DX, CT and other image modalities, not to SR).</summary>
public static class TestModels
{
    public static string Script => Repo.Path("tools/inference/make_test_model.py");

    /// <summary>Writes model <paramref name="name"/> into <paramref name="modelsDir"/> (created if needed); returns the
    /// model's folder. <paramref name="extra"/> goes to the script (e.g. "--dtype", "float16").</summary>
    public static string Make(string modelsDir, string name = "testnet", params string[] extra)
    {
        Directory.CreateDirectory(modelsDir);
        Tool.RunOk(Tool.Python, [Script, modelsDir, "--name", name, .. extra]);
        return Path.Combine(modelsDir, name);
    }
}
