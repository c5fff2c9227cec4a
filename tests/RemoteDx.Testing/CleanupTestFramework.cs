using Xunit.Abstractions;
using Xunit.Sdk;

namespace RemoteDx.Testing;

/// <summary>xunit's own test framework plus one step when a test assembly's run ends: the
/// <see cref="TempDirectory.ForTestRun"/> folders are deleted. (The test host is sometimes ended before ProcessExit
/// handlers finish.) A test project opts in with
/// <c>[assembly: Xunit.TestFramework("RemoteDx.Testing.CleanupTestFramework", "RemoteDx.Testing")]</c>, which its csproj
/// adds as an AssemblyAttribute item.</summary>
public sealed class CleanupTestFramework : XunitTestFramework
{
    public CleanupTestFramework(IMessageSink messageSink)
        : base(messageSink)
    {
        DisposalTracker.Add(new Cleanup());
    }

    private sealed class Cleanup : IDisposable
    {
        public void Dispose() => TempDirectory.DeleteTestRunFolders();
    }
}
