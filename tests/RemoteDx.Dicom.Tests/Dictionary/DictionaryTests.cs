using RemoteDx.Dicom;
using Xunit;

namespace RemoteDx.Dicom.Tests.Dictionary;

public sealed class DictionaryTests
{
    [Fact]
    public void PatientNameIsPersonNameWithVm1()
    {
        var e = DicomDictionary.Lookup(Tag.PatientName);
        Assert.NotNull(e);
        Assert.Equal("PatientName", e.Keyword);
        Assert.Equal("Patient's Name", e.Name);
        Assert.Equal(VR.PN, e.VR);
        Assert.Equal([VR.PN], e.VRs);
        Assert.Equal("1", e.VM);
        Assert.False(e.Retired);
        Assert.Equal(0xFFFFFFFFu, e.Mask);
    }

    [Theory]
    [InlineData("PatientName", 0x0010, 0x0010)]
    [InlineData("SOPClassUID", 0x0008, 0x0016)]
    [InlineData("PixelData", 0x7FE0, 0x0010)]
    [InlineData("TransferSyntaxUID", 0x0002, 0x0010)]
    [InlineData("OverlayData", 0x6000, 0x3000)]
    public void KeywordLookupRoundTrips(string keyword, ushort group, ushort element)
    {
        var e = DicomDictionary.Lookup(keyword);
        Assert.NotNull(e);
        Assert.Equal(new Tag(group, element), e.Tag);
        Assert.Same(e, DicomDictionary.Lookup(e.Tag));
    }

    [Fact]
    public void EveryEntryRoundTripsThroughItsKeyword()
    {
        foreach (var e in DicomDictionary.Entries)
        {
            Assert.Same(e, DicomDictionary.Lookup(e.Keyword));
            Assert.Same(e, DicomDictionary.Lookup(e.Tag));
        }
    }

    [Fact]
    public void UnknownKeywordIsNull() => Assert.Null(DicomDictionary.Lookup("NoSuchKeyword"));

    [Fact]
    public void RetiredTagIsFlagged()
    {
        var e = DicomDictionary.Lookup(new Tag(0x0000, 0x0001)); // Command Length to End
        Assert.NotNull(e);
        Assert.True(e.Retired);
        Assert.Equal("CommandLengthToEnd", e.Keyword); // DCMTK's RETIRED_ prefix is stripped

        var curve = DicomDictionary.Lookup("CurveData");
        Assert.NotNull(curve);
        Assert.True(curve.Retired);
    }

    [Fact]
    public void MultiValuedVmStringsAreKept()
    {
        Assert.Equal("2-n", DicomDictionary.Lookup(Tag.ImageType)!.VM);
        Assert.Equal("1-n", DicomDictionary.Lookup(Tag.SpecificCharacterSet)!.VM);
        Assert.Equal("3-3n", DicomDictionary.Lookup("CalculatedFrameList")!.VM);
    }

    [Fact]
    public void OverlayDataResolvesThroughTheRepeatingGroupMask()
    {
        var e = DicomDictionary.Lookup(new Tag(0x6002, 0x3000));
        Assert.NotNull(e);
        Assert.Equal("OverlayData", e.Keyword);
        Assert.Equal(new Tag(0x6000, 0x3000), e.Tag);
        Assert.Equal(0xFF01FFFFu, e.Mask);
        Assert.Equal([VR.OW, VR.OB], e.VRs);
        Assert.Equal(VR.OW, DicomDictionary.DefaultVR(new Tag(0x60FE, 0x3000)));
        Assert.Equal(VR.US, DicomDictionary.DefaultVR(new Tag(0x6010, 0x0010))); // Overlay Rows
    }

    [Fact]
    public void OddRepeatingGroupIsPrivateNotOverlay()
    {
        Assert.Null(DicomDictionary.Lookup(new Tag(0x6001, 0x3000)));
        Assert.Equal(VR.UN, DicomDictionary.DefaultVR(new Tag(0x6001, 0x3000)));
    }

    [Fact]
    public void SourceImageIdsRepeatOverElements()
    {
        var e = DicomDictionary.Lookup(new Tag(0x0020, 0x3155));
        Assert.NotNull(e);
        Assert.Equal("SourceImageIDs", e.Keyword);
        Assert.True(e.Retired);
    }

    [Fact]
    public void GroupLengthIsUl()
    {
        Assert.Equal(VR.UL, DicomDictionary.DefaultVR(new Tag(0x0008, 0x0000)));
        Assert.Equal(VR.UL, DicomDictionary.DefaultVR(new Tag(0x0009, 0x0000)));
        Assert.Equal("FileMetaInformationGroupLength", DicomDictionary.Lookup(Tag.FileMetaInformationGroupLength)!.Keyword);
        Assert.Equal("GroupLength", DicomDictionary.Lookup(new Tag(0x0028, 0x0000))!.Keyword);
    }

    [Fact]
    public void PrivateCreatorIsLo()
    {
        var e = DicomDictionary.Lookup(new Tag(0x0029, 0x0010));
        Assert.NotNull(e);
        Assert.Equal("PrivateCreator", e.Keyword);
        Assert.Equal(VR.LO, e.VR);
        Assert.Equal(VR.LO, DicomDictionary.DefaultVR(new Tag(0x7FE1, 0x00FF)));
    }

    [Fact]
    public void UnknownTagsAreUn()
    {
        Assert.Null(DicomDictionary.Lookup(new Tag(0x0029, 0x1010))); // private data element
        Assert.Equal(VR.UN, DicomDictionary.DefaultVR(new Tag(0x0029, 0x1010)));
        Assert.Equal(VR.UN, DicomDictionary.DefaultVR(new Tag(0x0010, 0x0011))); // unassigned standard tag
    }

    [Fact]
    public void AmbiguousVrsKeepAllChoicesWithTheDefaultFirst()
    {
        Assert.Equal([VR.OW, VR.OB], DicomDictionary.Lookup(Tag.PixelData)!.VRs);
        Assert.Equal(VR.OW, DicomDictionary.DefaultVR(Tag.PixelData));
        Assert.Equal([VR.US, VR.SS], DicomDictionary.Lookup(Tag.RedPaletteColorLookupTableDescriptor)!.VRs);
        Assert.Equal(VR.US, DicomDictionary.DefaultVR(new Tag(0x0028, 0x0106))); // Smallest Image Pixel Value
        Assert.Equal([VR.US, VR.OW], DicomDictionary.Lookup(Tag.LUTData)!.VRs);
        Assert.Equal([VR.US, VR.SS, VR.OW], DicomDictionary.Lookup("GrayLookupTableData")!.VRs);
        Assert.Equal(VR.UL, DicomDictionary.DefaultVR(new Tag(0x0004, 0x1400))); // DCMTK 'up' offset
    }

    [Fact]
    public void ItemTagsHaveNoVr()
    {
        Assert.Equal(VR.None, DicomDictionary.DefaultVR(Tag.Item));
        Assert.Equal(VR.None, DicomDictionary.DefaultVR(Tag.SequenceDelimitationItem));
    }

    [Fact]
    public void TagsNamedInTagCsAgreeWithTheDictionary()
    {
        foreach (var field in typeof(Tag).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        {
            var tag = (Tag)field.GetValue(null)!;
            var e = DicomDictionary.Lookup(tag);
            Assert.NotNull(e);
            Assert.Equal(field.Name, e.Keyword);
        }
    }

    [Fact]
    public void DictionaryIsLarge()
    {
        Assert.True(DicomDictionary.Entries.Count > 4000, $"{DicomDictionary.Entries.Count} entries");
        Assert.Equal(DicomDictionary.GeneratedEntryCount, DicomDictionary.Entries.Count);
        Assert.Contains(DicomDictionary.Entries, e => e.Mask != 0xFFFFFFFF);
        Assert.All(DicomDictionary.Entries, e => Assert.NotEmpty(e.VRs));
        Assert.All(DicomDictionary.Entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Name)));
    }

    [Fact]
    public void JpegLosslessSv1Uid()
    {
        var e = DicomUids.Lookup("1.2.840.10008.1.2.4.70");
        Assert.NotNull(e);
        Assert.Equal("JPEGLosslessSV1", e.Keyword);
        Assert.Equal("Transfer Syntax", e.Type);
        Assert.False(e.Retired);
        Assert.Equal(DicomUids.JPEGLosslessSV1, e.Uid);
        Assert.Same(e, DicomUids.Lookup("1.2.840.10008.1.2.4.70\0")); // trailing UI padding is ignored
    }

    [Fact]
    public void VerificationUid()
    {
        var e = DicomUids.Lookup(DicomUids.Verification);
        Assert.NotNull(e);
        Assert.Equal("SOP Class", e.Type);
        Assert.Null(DicomUids.Lookup("1.2.3.4.5"));
        Assert.True(DicomUids.Entries.Count > 400);
    }

    [Fact]
    public void StorageSopClasses()
    {
        var storage = DicomUids.StorageSopClasses;
        Assert.Contains(storage, e => e.Uid == DicomUids.CTImageStorage);
        Assert.Contains(storage, e => e.Uid == "1.2.840.10008.5.1.4.1.1.1.1"); // DX For Presentation
        Assert.DoesNotContain(storage, e => e.Uid == DicomUids.StorageCommitmentPushModel);
        Assert.DoesNotContain(storage, e => e.Uid == DicomUids.Verification);
        Assert.DoesNotContain(storage, e => e.Uid == "1.2.840.10008.1.3.10"); // Media Storage Directory Storage
        Assert.All(storage, e => Assert.Equal("SOP Class", e.Type));
        Assert.True(storage.Count > 150, $"{storage.Count} storage classes");
    }
}
