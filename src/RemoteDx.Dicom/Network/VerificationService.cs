// PS3.4 A Verification Service Class, SCP role: C-ECHO (PS3.7 9.1.5)
using Microsoft.Extensions.Logging;

namespace RemoteDx.Dicom.Network;

/// <summary>Answers C-ECHO-RQ: success on a Verification presentation context, 0122 on any other.</summary>
internal sealed class VerificationService(ILogger logger) : IScpService
{
    public bool Answers(DimseCommand command) => command is { CommandField: DimseCommandField.CEchoRq, HasDataSet: false };

    public IScpOperation Begin(AcceptedPresentationContext context, DimseCommand command)
    {
        var messageId = command.MessageId ?? 0;
        logger.Echo(messageId);
        // PS3.7 9.3.5.2: Affected SOP Class UID of the response is the Verification SOP Class.
        var status = context.AbstractSyntax == DicomUids.Verification ? DimseStatus.Success : DimseStatus.SopClassNotSupported;
        return new Answered(new DimseCommand
        {
            CommandField = DimseCommandField.CEchoRsp,
            MessageIdBeingRespondedTo = messageId,
            AffectedSopClassUid = DicomUids.Verification,
            Status = status.Code,
        });
    }

    /// <summary>A request without a data set, answered as soon as it began.</summary>
    private sealed class Answered(DimseCommand response) : IScpOperation
    {
        public void OnDatasetFragment(ReadOnlySpan<byte> fragment) =>
            throw new InvalidOperationException("C-ECHO has no data set");

        public ValueTask<DimseCommand> RespondAsync(CancellationToken ct) => ValueTask.FromResult(response);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
