// PS3.4 B Storage Service Class, SCP role: C-STORE (PS3.7 9.1.1)
using Microsoft.Extensions.Logging;

namespace RemoteDx.Dicom.Network;

/// <summary>Answers C-STORE-RQ for one association: checks the command against its presentation context, asks the
/// <see cref="IStoreHandler"/> where the data set goes, streams it there fragment by fragment (memory stays bounded
/// whatever the instance size), and answers with the handler's status or, for an exception, the status
/// <see cref="DimseStatusBoundary"/> gives it.</summary>
internal sealed class StorageService(AssociationInfo association, IStoreHandler handler, ILogger logger, long maxInstanceBytes) : IScpService
{
    /// <summary>Data sets handed to the handler on this association (for the audit record).</summary>
    public int Instances { get; private set; }

    public bool Answers(DimseCommand command) => command is { CommandField: DimseCommandField.CStoreRq, HasDataSet: true };

    public IScpOperation Begin(AcceptedPresentationContext context, DimseCommand command)
    {
        if (command.AffectedSopClassUid != context.AbstractSyntax)
        {
            return StoreOperation.Refused(this, command, DimseStatus.SopClassNotSupported.WithComment("SOP class differs from the presentation context's"));
        }
        if (string.IsNullOrEmpty(command.AffectedSopInstanceUid) || command.MessageId is null)
        {
            return StoreOperation.Refused(this, command, DimseStatus.CannotUnderstand.WithComment("missing Affected SOP Instance UID or Message ID"));
        }
        var store = new StoreCommand(command.AffectedSopClassUid, command.AffectedSopInstanceUid, context.TransferSyntax, command.MessageId.Value,
            string.IsNullOrEmpty(command.MoveOriginatorAE) ? null : command.MoveOriginatorAE);
        StoreDestination destination;
        try
        {
            destination = handler.PrepareStore(association, store);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return StoreOperation.Refused(this, command, DimseStatusBoundary.ToStatus(ex), ex);
        }
        return StoreOperation.Open(this, command, store, destination);
    }

    internal AssociationInfo Association => association;

    internal ILogger Logger => logger;

    /// <summary><see cref="DicomServerOptions.MaxInstanceBytes"/>.</summary>
    internal long MaxInstanceBytes => maxInstanceBytes;

    /// <summary>Hands the complete data set to the handler; its exceptions become statuses here and nowhere else.</summary>
    internal async ValueTask<(DimseStatus Status, Exception? Failure)> StoreAsync(StoreRequest request, CancellationToken ct)
    {
        Instances++;
        try
        {
            return (await handler.StoreAsync(association, request, ct).ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (DimseStatusBoundary.ToStatus(ex), ex);
        }
    }
}
