// PS3.4 service classes in the SCP role (pynetdicom's service_class.py): the association dispatches requests to them
namespace RemoteDx.Dicom.Network;

/// <summary>One DIMSE service the SCP performs on an association (C-ECHO for Verification, C-STORE for Storage). The
/// association owns the transport, negotiation and reassembly; a service only sees complete command sets and the
/// fragments of the data set that follows.</summary>
internal interface IScpService
{
    /// <summary>True when this service answers <paramref name="command"/> (its Command Field, and whether a data set
    /// follows, PS3.7 E.1 Command Data Set Type).</summary>
    bool Answers(DimseCommand command);

    /// <summary>Starts one request whose command set has arrived on <paramref name="context"/>.</summary>
    IScpOperation Begin(AcceptedPresentationContext context, DimseCommand command);
}
