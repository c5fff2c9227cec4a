using RemoteDx.Core.Tests.Inference;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Batch;

/// <summary>Runs tests/RemoteDx.Core.Tests/Batch/sklearn_reference.py with Debian's python3-sklearn.</summary>
public static class SklearnReference
{
    public const string Packages = "python3-sklearn python3-numpy";

    public static string Script => Repo.Path("tests/RemoteDx.Core.Tests/Batch/sklearn_reference.py");

    public static string Run(params string[] args) => Tool.RunOk(Tool.Python, [Script, .. args]);
}
