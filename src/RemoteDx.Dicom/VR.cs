namespace RemoteDx.Dicom;

/// <summary>Value representations, PS3.5 6.2. <see cref="None"/> marks item/delimiter tags that carry no VR.</summary>
public enum VR : ushort
{
    None = 0,
    AE = ('A' << 8) | 'E', AS = ('A' << 8) | 'S', AT = ('A' << 8) | 'T', CS = ('C' << 8) | 'S',
    DA = ('D' << 8) | 'A', DS = ('D' << 8) | 'S', DT = ('D' << 8) | 'T', FD = ('F' << 8) | 'D',
    FL = ('F' << 8) | 'L', IS = ('I' << 8) | 'S', LO = ('L' << 8) | 'O', LT = ('L' << 8) | 'T',
    OB = ('O' << 8) | 'B', OD = ('O' << 8) | 'D', OF = ('O' << 8) | 'F', OL = ('O' << 8) | 'L',
    OV = ('O' << 8) | 'V', OW = ('O' << 8) | 'W', PN = ('P' << 8) | 'N', SH = ('S' << 8) | 'H',
    SL = ('S' << 8) | 'L', SQ = ('S' << 8) | 'Q', SS = ('S' << 8) | 'S', ST = ('S' << 8) | 'T',
    SV = ('S' << 8) | 'V', TM = ('T' << 8) | 'M', UC = ('U' << 8) | 'C', UI = ('U' << 8) | 'I',
    UL = ('U' << 8) | 'L', UN = ('U' << 8) | 'N', UR = ('U' << 8) | 'R', US = ('U' << 8) | 'S',
    UT = ('U' << 8) | 'T', UV = ('U' << 8) | 'V',
}

public static class VRInfo
{
    public static bool TryParse(byte c0, byte c1, out VR vr)
    {
        vr = (VR)((c0 << 8) | c1);
        return IsKnown(vr);
    }

    public static bool IsKnown(VR vr) => vr switch
    {
        VR.AE or VR.AS or VR.AT or VR.CS or VR.DA or VR.DS or VR.DT or VR.FD or VR.FL or VR.IS or VR.LO
            or VR.LT or VR.OB or VR.OD or VR.OF or VR.OL or VR.OV or VR.OW or VR.PN or VR.SH or VR.SL
            or VR.SQ or VR.SS or VR.ST or VR.SV or VR.TM or VR.UC or VR.UI or VR.UL or VR.UN or VR.UR
            or VR.US or VR.UT or VR.UV => true,
        _ => false,
    };

    public static string Name(VR vr) => vr == VR.None ? "--" : new string([(char)((ushort)vr >> 8), (char)((ushort)vr & 0xFF)]);

    public static VR Parse(string s) =>
        s.Length == 2 && TryParse((byte)s[0], (byte)s[1], out var vr) ? vr : throw new FormatException($"unknown VR '{s}'");

    /// <summary>Explicit VR encodings with a 2-byte reserved field and a 4-byte length. PS3.5 7.1.2, Table 7.1-1.</summary>
    public static bool HasLongLength(VR vr) => vr switch
    {
        VR.OB or VR.OD or VR.OF or VR.OL or VR.OV or VR.OW or VR.SQ or VR.SV or VR.UC or VR.UN or VR.UR
            or VR.UT or VR.UV => true,
        _ => false,
    };

    /// <summary>VRs whose value is character data, subject to Specific Character Set where noted.</summary>
    public static bool IsString(VR vr) => vr switch
    {
        VR.AE or VR.AS or VR.CS or VR.DA or VR.DS or VR.DT or VR.IS or VR.LO or VR.LT or VR.PN or VR.SH
            or VR.ST or VR.TM or VR.UC or VR.UI or VR.UR or VR.UT => true,
        _ => false,
    };

    /// <summary>String VRs decoded with Specific Character Set (0008,0005). PS3.5 6.1.2.3.</summary>
    public static bool UsesCharacterSet(VR vr) => vr is VR.LO or VR.LT or VR.PN or VR.SH or VR.ST or VR.UC or VR.UT;

    /// <summary>String VRs whose multiple values are separated by backslash (LT, ST, UT, UR are single-valued).</summary>
    public static bool IsMultiValuedString(VR vr) => IsString(vr) && vr is not (VR.LT or VR.ST or VR.UT or VR.UR);

    /// <summary>Size of one value for binary VRs; also the unit of byte swapping for big endian. 1 for bytes and strings.</summary>
    public static int ValueSize(VR vr) => vr switch
    {
        VR.AT or VR.OW or VR.SS or VR.US => 2,
        VR.FL or VR.OF or VR.OL or VR.SL or VR.UL => 4,
        VR.FD or VR.OD or VR.OV or VR.SV or VR.UV => 8,
        _ => 1,
    };

    /// <summary>Padding for odd-length values: space for strings, NUL for UI and binary. PS3.5 6.2.</summary>
    public static byte PaddingByte(VR vr) => IsString(vr) && vr != VR.UI ? (byte)' ' : (byte)0;
}
