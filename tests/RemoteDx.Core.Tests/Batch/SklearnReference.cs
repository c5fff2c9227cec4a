using RemoteDx.Core.Tests.Inference;
using RemoteDx.Dicom.Tests.Support;

namespace RemoteDx.Core.Tests.Batch;

/// <summary>Runs tests/RemoteDx.Core.Tests/Batch/sklearn_reference.py with Debian's python3-sklearn.</summary>
public static class SklearnReference
{
    public const string Packages = "python3-sklearn python3-numpy";

    public static string Script => ModelFolder.Tool("tests/RemoteDx.Core.Tests/Batch/sklearn_reference.py");

    public static string Run(params string[] args) => ExternalTools.RunOk(ExternalTools.Python, Packages, [Script, .. args]);
}
