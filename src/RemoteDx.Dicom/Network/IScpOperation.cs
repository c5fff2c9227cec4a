// PS3.7 9.1 one DIMSE-C request served by the SCP, from its command set to its response
namespace RemoteDx.Dicom.Network;

/// <summary>One request in progress. The association feeds it the data set fragments (PS3.8 9.3.5 PDVs, in order), asks
/// for the response once the last one arrived (at once when there is no data set), sends it, and disposes the
/// operation whatever happened (abort and release included).</summary>
internal interface IScpOperation : IAsyncDisposable
{
    /// <summary>One data set fragment. Does not throw for storage errors: the operation remembers them and answers with
    /// a failure status, so the association survives.</summary>
    void OnDatasetFragment(ReadOnlySpan<byte> fragment);

    /// <summary>The response command (with its status) to send for the complete request.</summary>
    ValueTask<DimseCommand> RespondAsync(CancellationToken ct);
}
