using System.Buffers.Binary;
using RemoteDx.Dicom.Imaging;
using static RemoteDx.Dicom.Tests.Imaging.SyntheticImages;

namespace RemoteDx.Dicom.Tests.Imaging;

/// <summary>Single rules of PS3.3 C.11 checked on hand-made images where the expected value is worked out from the
/// standard's formula.</summary>
public sealed class PipelineRuleTests
{
    [Fact]
    public void Linear_window_follows_PS3_3_C_11_2_1_2_1_with_c_minus_half_and_w_minus_one()
    {
        // c = 40, w = 400: x <= 39.5 - 199.5 = -160 -> 0; x > 239 -> 255; else ((x - 39.5) / 399 + 0.5) * 255.
        short[] x = [-161, -160, -159, 39, 40, 238, 239, 240];
        var px = Render(Grey16(1, x.Length, x), new RenderOptions { WindowCenter = 40, WindowWidth = 400 });
        var expected = x.Select(v => v <= -160 ? 0 : v > 239 ? 255 : (int)Math.Floor(((v - 39.5) / 399 + 0.5) * 255 + 0.5)).Select(v => (byte)v);
        Assert.Equal(expected, px);
    }

    [Fact]
    public void Linear_window_of_width_one_is_a_threshold_at_c_minus_half()
    {
        short[] x = [99, 100, 101];
        Assert.Equal([0, 255, 255], Render(Grey16(1, 3, x), new RenderOptions { WindowCenter = 100, WindowWidth = 1 }));
        Assert.Equal([0, 0, 255], Render(Grey16(1, 3, x), new RenderOptions { WindowCenter = 101, WindowWidth = 1 }));
    }

    [Fact]
    public void Without_a_window_the_frame_minimum_is_black_and_maximum_white()
    {
        short[] x = [-500, 0, 1500];
        Assert.Equal([0, 64, 255], Render(Grey16(1, 3, x)));
    }

    [Fact]
    public void Pixel_padding_is_left_out_of_the_automatic_window()
    {
        short[] x = [-2000, -2000, 0, 100];
        var file = Grey16(1, 4, x);
        var pad = new byte[2];
        BinaryPrimitives.WriteInt16LittleEndian(pad, -2000);
        file.Dataset.SetBytes(new Tag(0x0028, 0x0120), VR.SS, pad);
        Assert.Equal([0, 0, 0, 255], Render(file));
    }

    [Fact]
    public void Modality_lut_descriptor_first_value_is_signed_for_signed_pixels()
    {
        // PS3.3 C.11.1.1.1: first value mapped -2 (0xFFFE as US), 4 entries of 16 bits.
        short[] x = [-3, -2, 0, 1, 5];
        var file = Grey16(1, 5, x);
        var item = new Dataset();
        item.SetUInt16(Tag.LUTDescriptor, 4, 0xFFFE, 16);
        item.SetUInt16(Tag.LUTData, 0, 100, 200, 300);
        file.Dataset.Set(new DicomSequence(Tag.ModalityLUTSequence, [item]));
        // Modality values 0, 0, 200, 300, 300; window [0, 300] with LINEAR_EXACT from min/max.
        Assert.Equal([0, 0, 170, 255, 255], Render(file));
    }

    [Fact]
    public void Per_frame_functional_groups_override_the_shared_rescale()
    {
        // PS3.3 C.7.6.16: frame 1 carries its own Pixel Value Transformation; a caller window makes the effect visible.
        var file = Grey16(1, 2, [10, 20, 10, 20], frames: 2);
        static Dataset Group(string slope, string intercept)
        {
            var pvt = new Dataset();
            pvt.SetString(Tag.RescaleSlope, VR.DS, slope);
            pvt.SetString(Tag.RescaleIntercept, VR.DS, intercept);
            var group = new Dataset();
            group.Set(new DicomSequence(new Tag(0x0028, 0x9145), [pvt]));
            return group;
        }
        file.Dataset.Set(new DicomSequence(new Tag(0x5200, 0x9229), [Group("1", "0")]));
        file.Dataset.Set(new DicomSequence(new Tag(0x5200, 0x9230), [new Dataset(), Group("1", "1000")]));
        var window = new RenderOptions { WindowCenter = 500, WindowWidth = 100, Frame = 0 };
        Assert.Equal([0, 0], Render(file, window));
        Assert.Equal([255, 255], Render(file, window with { Frame = 1 }));
    }
}
