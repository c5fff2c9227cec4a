using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Dicom;

/// <summary>The DICOM JSON Model, PS3.18 F.2.</summary>
public static class DicomJson
{
    public static string Serialize(Dataset ds, bool indented = true)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(w, ds);
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    public static void Write(Utf8JsonWriter w, Dataset ds)
    {
        w.WriteStartObject();
        foreach (var e in ds)
        {
            w.WritePropertyName(e.Tag.Value.ToString("X8", CultureInfo.InvariantCulture));
            w.WriteStartObject();
            var vr = e.VR == VR.None ? VR.UN : e.VR;
            w.WriteString("vr", VRInfo.Name(vr));
            WriteValue(w, ds, e, vr);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, Dataset ds, DicomElement e, VR vr)
    {
        switch (e)
        {
            case DicomSequence sq:
                if (sq.Items.Count > 0)
                {
                    w.WriteStartArray("Value");
                    foreach (var item in sq.Items)
                    {
                        Write(w, item);
                    }
                    w.WriteEndArray();
                }
                return;
            case DicomFragments f:
            {
                // Not defined by F.2 for inline use; the encapsulated items are given as they would be encoded.
                using var ms = new MemoryStream();
                var tmp = new Dataset();
                tmp.Set(f);
                DicomWriter.WriteDataset(ms, tmp, TransferSyntax.ExplicitVRLittleEndian);
                w.WriteBase64String("InlineBinary", ms.ToArray().AsSpan(12));
                return;
            }
        }
        if (e.Length == 0)
        {
            return;
        }
        switch (vr)
        {
            case VR.OB or VR.OD or VR.OF or VR.OL or VR.OV or VR.OW or VR.UN:
                w.WriteBase64String("InlineBinary", e.Buffer.Span);
                return;
            case VR.PN:
                w.WriteStartArray("Value");
                foreach (var v in ds.GetStrings(e.Tag))
                {
                    if (v.Length == 0)
                    {
                        w.WriteNullValue();
                        continue;
                    }
                    var groups = v.Split('=');
                    w.WriteStartObject();
                    string[] names = ["Alphabetic", "Ideographic", "Phonetic"];
                    for (var i = 0; i < groups.Length && i < 3; i++)
                    {
                        if (groups[i].Length > 0)
                        {
                            w.WriteString(names[i], groups[i]);
                        }
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                return;
            case VR.AT:
            {
                w.WriteStartArray("Value");
                var s = e.Buffer.Span;
                for (var i = 0; i + 4 <= s.Length; i += 4)
                {
                    var t = new Tag(BinaryPrimitives.ReadUInt16LittleEndian(s[i..]), BinaryPrimitives.ReadUInt16LittleEndian(s[(i + 2)..]));
                    w.WriteStringValue(t.Value.ToString("X8", CultureInfo.InvariantCulture));
                }
                w.WriteEndArray();
                return;
            }
            case VR.DS or VR.IS:
                w.WriteStartArray("Value");
                foreach (var v in ds.GetStrings(e.Tag))
                {
                    var t = v.Trim();
                    if (t.Length == 0)
                    {
                        w.WriteNullValue();
                    }
                    else if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                    {
                        if (vr == VR.IS && d == Math.Floor(d) && Math.Abs(d) < 1e15)
                        {
                            w.WriteNumberValue((long)d);
                        }
                        else
                        {
                            w.WriteNumberValue(d);
                        }
                    }
                    else
                    {
                        w.WriteStringValue(t);
                    }
                }
                w.WriteEndArray();
                return;
            case VR.FL or VR.FD or VR.SL or VR.SS or VR.UL or VR.US or VR.SV or VR.UV:
                w.WriteStartArray("Value");
                foreach (var d in e.BinaryValues())
                {
                    if (!double.IsFinite(d))
                    {
                        w.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                    }
                    else if (d == Math.Floor(d) && Math.Abs(d) < 9e15)
                    {
                        w.WriteNumberValue((long)d);
                    }
                    else
                    {
                        w.WriteNumberValue(d);
                    }
                }
                w.WriteEndArray();
                return;
            default:
                w.WriteStartArray("Value");
                foreach (var v in ds.GetStrings(e.Tag))
                {
                    var t = vr is VR.LT or VR.ST or VR.UT ? v : v.Trim(' ');
                    if (t.Length == 0)
                    {
                        w.WriteNullValue();
                    }
                    else
                    {
                        w.WriteStringValue(t);
                    }
                }
                w.WriteEndArray();
                return;
        }
    }
}
