namespace RemoteDx.Core.Batch;

/// <summary>Where batch results go, one call per file, flushed as they arrive (a killed run loses at most the file
/// being written, and <c>--resume</c> drops that one and scores it again).</summary>
public interface IBatchResultWriter : IDisposable
{
    void Write(BatchResult result);
}
