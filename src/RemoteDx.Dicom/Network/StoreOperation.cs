// PS3.4 B.2 one C-STORE being received: the data set streams to the handler's temp file (PS3.8 9.3.5 PDVs in order)
using Microsoft.Extensions.Logging;

namespace RemoteDx.Dicom.Network;

/// <summary>One C-STORE-RQ from its command set to its response. A refused request (wrong SOP class, no destination)
/// still reads its data set to the end, so the association survives, and answers with the refusal. The temp file is
/// written by a <see cref="TempFileWriter"/> (pooled buffers, the header kept in memory for the handler).</summary>
internal sealed class StoreOperation : IScpOperation
{
    private readonly StorageService _service;
    private readonly DimseCommand _command;
    private readonly StoreCommand? _store;
    private Action? _checkSpace;
    private long _sinceSpaceCheck;
    private TempFileWriter? _file;
    private string? _path;
    private long _offset;
    private long _length;
    private DimseStatus? _refusal;
    private Exception? _failure;

    private StoreOperation(StorageService service, DimseCommand command, StoreCommand? store)
    {
        _service = service;
        _command = command;
        _store = store;
    }

    public static StoreOperation Refused(StorageService service, DimseCommand command, DimseStatus status, Exception? failure = null) =>
        new(service, command, null) { _refusal = status, _failure = failure };

    public static StoreOperation Open(StorageService service, DimseCommand command, StoreCommand store, StoreDestination destination)
    {
        var op = new StoreOperation(service, command, store);
        try
        {
            Directory.CreateDirectory(destination.TempDirectory);
            op._path = Path.Combine(destination.TempDirectory, $"rdx-{service.Association.Id}-{store.MessageId}-{Guid.NewGuid():N}.tmp");
            op._file = TempFileWriter.Create(op._path, destination.StartWriteback);
            op._checkSpace = destination.CheckSpace;
            if (destination.WritePart10Header)
            {
                var header = Part10Header.Encode(store.SopClassUid, store.SopInstanceUid, store.TransferSyntax, service.Association.CallingAE);
                op._file.Append(header);
                op._offset = header.Length;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            op.Discard();
            var status = DimseStatusBoundary.ToStatus(ex);
            op._refusal = ex is IOException or UnauthorizedAccessException ? status.WithComment("cannot create temp file: " + ex.GetType().Name) : status;
            op._failure = ex;
        }
        return op;
    }

    public void OnDatasetFragment(ReadOnlySpan<byte> fragment)
    {
        _length += fragment.Length;
        if (_file is null)
        {
            return;
        }
        if (_length > _service.MaxInstanceBytes)
        {
            // Keep reading (and dropping) the rest so the association survives; answer "out of resources".
            Discard();
            _refusal = DimseStatus.OutOfResources.WithComment("data set larger than MaxInstanceBytes");
            return;
        }
        _sinceSpaceCheck += fragment.Length;
        if (_checkSpace is { } check && _sinceSpaceCheck >= StoreDestination.CheckSpaceInterval)
        {
            _sinceSpaceCheck = 0;
            try
            {
                check();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Discard();
                _refusal = DimseStatusBoundary.ToStatus(ex);
                _failure = ex;
                return;
            }
        }
        try
        {
            // Buffered and synchronous: page-cache writes are fast, and per-fragment async file writes cost a
            // thread-pool hop each (thousands per large instance).
            _file.Append(fragment);
        }
        catch (IOException ex)
        {
            // Keep reading the data set so the association survives; answer "unable to store".
            Discard();
            _refusal = DimseStatusBoundary.ToStatus(ex).WithComment("cannot write temp file: " + ex.GetType().Name);
            _failure = ex;
        }
    }

    public async ValueTask<DimseCommand> RespondAsync(CancellationToken ct)
    {
        DimseStatus status;
        var messageId = _command.MessageId ?? 0;
        if (_refusal is { } refusal)
        {
            status = refusal;
        }
        else
        {
            try
            {
                // The last buffered fragments are written before the handle closes: that can still fail (a full disk).
                _file!.Flush();
                // The head stays readable (the writer is disposed after the handler), the file handle is closed.
                var s = _store!;
                var request = new StoreRequest(s.SopClassUid, s.SopInstanceUid, s.TransferSyntax, _path!, _length, s.MessageId, s.MoveOriginatorAE, _offset)
                {
                    Head = _file.Head,
                };
                _file.CloseHandle();
                (status, _failure) = await _service.StoreAsync(request, ct).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                CloseFile();
                status = DimseStatusBoundary.ToStatus(ex).WithComment("cannot write temp file: " + ex.GetType().Name);
                _failure = ex;
            }
        }
        Discard();
        if (status.Category == StatusCategory.Failure)
        {
            _service.Logger.StoreFailed(messageId, status.ToString(), _failure);
        }
        else
        {
            _service.Logger.Stored(messageId, _command.AffectedSopClassUid ?? "", _command.AffectedSopInstanceUid ?? "", _length, status.ToString());
        }
        return new DimseCommand
        {
            CommandField = DimseCommandField.CStoreRsp,
            MessageIdBeingRespondedTo = messageId,
            AffectedSopClassUid = _command.AffectedSopClassUid,
            AffectedSopInstanceUid = _command.AffectedSopInstanceUid,
            Status = status.Code,
            ErrorComment = status.ErrorComment,
        };
    }

    public ValueTask DisposeAsync()
    {
        Discard();
        return ValueTask.CompletedTask;
    }

    private void CloseFile()
    {
        _file?.Dispose();
        _file = null;
    }

    /// <summary>Closes and deletes the temp file, if any (abort, failure, or the handler left it in place).</summary>
    private void Discard()
    {
        CloseFile();
        if (_path is not null)
        {
            try
            {
                File.Delete(_path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
            _path = null;
        }
    }
}
