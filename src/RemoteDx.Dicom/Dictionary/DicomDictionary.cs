namespace RemoteDx.Dicom;

/// <summary>One entry of the data dictionary, PS3.6 6. <see cref="Mask"/> is 0xFFFFFFFF for an exact tag; repeating
/// groups such as (60xx,3000) use a mask that clears the varying digits.</summary>
public sealed record DictionaryEntry(Tag Tag, string Keyword, string Name, VR[] VRs, string VM, bool Retired, uint Mask = 0xFFFFFFFF)
{
    public VR VR => VRs.Length > 0 ? VRs[0] : VR.UN;
}

/// <summary>STUB — replaced by the generated dictionary.</summary>
public static partial class DicomDictionary
{
    public static DictionaryEntry? Lookup(Tag tag) => null;

    public static DictionaryEntry? Lookup(string keyword) => null;

    public static VR DefaultVR(Tag tag) => tag.IsGroupLength ? VR.UL : tag.IsPrivateCreator ? VR.LO : VR.UN;
}
