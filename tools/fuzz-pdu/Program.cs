using RemoteDx.Dicom;
using RemoteDx.Dicom.Network;
using SharpFuzz;

namespace RemoteDx.FuzzPdu;

/// <summary>afl++ target for the PS3.8 upper layer: reads PDUs from stdin one after another with the PDU reader a
/// DicomServer uses (Maximum Length 16384), re-encodes each, and decodes command PDVs as DIMSE command sets. Bad input
/// must end in a <see cref="DicomException"/> (the server answers it with A-ABORT) or <see cref="EndOfStreamException"/>
/// (the transport closed mid-PDU); anything else escapes and afl records a crash.</summary>
internal static class Program
{
    private const uint MaxPduLength = 16384;

    public static void Main(string[] args)
    {
        if (args is ["--write-seeds", var dir])
        {
            Seeds.Write(dir);
            return;
        }
        Fuzzer.OutOfProcess.Run(Target);
    }

    private static void Target(Stream input)
    {
        var bytes = new MemoryStream();
        input.CopyTo(bytes);
        bytes.Position = 0;
        var reader = new PduReader(bytes, MaxPduLength);
        try
        {
            for (var i = 0; i < 64; i++)
            {
                // A MemoryStream completes every read synchronously, so the ValueTask is already finished.
                var pending = reader.ReadAsync(CancellationToken.None);
                if (!pending.IsCompleted)
                {
                    throw new InvalidOperationException("PDU reader went asynchronous on a MemoryStream");
                }
                var pdu = pending.GetAwaiter().GetResult();
                if (pdu is null)
                {
                    return;
                }
                Exercise(pdu);
            }
        }
        catch (DicomException)
        {
        }
        catch (EndOfStreamException)
        {
        }
    }

    private static void Exercise(Pdu pdu)
    {
        try
        {
            if (pdu is PDataTf data)
            {
                foreach (var pdv in data.Pdvs)
                {
                    if (pdv.IsCommand && pdv.IsLast)
                    {
                        try
                        {
                            DimseCodec.Decode(pdv.Data.Span);
                        }
                        catch (DicomFormatException)
                        {
                        }
                    }
                }
            }
            var encoded = PduWriter.Encode(pdu);
            // What we write we must be able to read back.
            var again = PduReader.Parse(encoded);
            (again as IDisposable)?.Dispose();
        }
        finally
        {
            (pdu as IDisposable)?.Dispose();
        }
    }
}
