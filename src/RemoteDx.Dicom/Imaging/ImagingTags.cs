namespace RemoteDx.Dicom.Imaging;

/// <summary>Attributes only the rendering pipeline reads (PS3.6 6).</summary>
internal static class ImagingTags
{
    public static readonly Tag PixelPaddingValue = new(0x0028, 0x0120);
    public static readonly Tag PixelPaddingRangeLimit = new(0x0028, 0x0121);
    public static readonly Tag SegmentedRedPaletteColorLookupTableData = new(0x0028, 0x1221);
    public static readonly Tag SegmentedGreenPaletteColorLookupTableData = new(0x0028, 0x1222);
    public static readonly Tag SegmentedBluePaletteColorLookupTableData = new(0x0028, 0x1223);
    public static readonly Tag FrameVOILUTSequence = new(0x0028, 0x9132);
    public static readonly Tag PixelValueTransformationSequence = new(0x0028, 0x9145);
    public static readonly Tag SharedFunctionalGroupsSequence = new(0x5200, 0x9229);
    public static readonly Tag PerFrameFunctionalGroupsSequence = new(0x5200, 0x9230);
}
