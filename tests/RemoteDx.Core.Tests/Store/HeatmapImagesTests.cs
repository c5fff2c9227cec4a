using RemoteDx.Core.Inference;
using RemoteDx.Core.Pipeline;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RemoteDx.Core.Tests.Store;

public sealed class HeatmapImagesTests
{
    [Fact]
    public void A_heatmap_PNG_drops_the_letterbox_padding_and_has_the_image_aspect_ratio_with_alpha_rising_with_the_value()
    {
        // A 32x32 model input holding a landscape image (2:1) letterboxed into the middle half; the map is hot on the
        // right, zero on the left and zero in the padding bands.
        var values = new float[32 * 32];
        for (var y = 8; y < 24; y++)
        {
            for (var x = 0; x < 32; x++)
            {
                values[y * 32 + x] = x / 31f;
            }
        }
        var png = HeatmapImages.ToPng(new Heatmap("nodule", 32, 32, values), new InputPlacement(0, 0.25f, 1, 0.5f), imageRows: 1000, imageColumns: 2000);
        using var img = Image.Load<Rgba32>(png);
        Assert.Equal((32, 16), (img.Width, img.Height));
        Assert.True(img[0, 8].A < 10, "cold side nearly transparent");
        Assert.True(img[31, 8].A > 150, "hot side mostly opaque");
        Assert.True(img[31, 8].R > 200 && img[31, 8].B < 50, "hot is red");
        Assert.True(img[31, 0].A > 150, "no padding band left at the top");
    }

    [Fact]
    public void Every_model_heatmap_becomes_one_PNG_and_a_whole_image_map_is_labelled_image()
    {
        var score = new ImageScore([new ModelScore("m", "1", "x", [new LabelScore("a", 0.9f, true, 0.5f, 1, false)],
            [new Heatmap("a", 4, 4, new float[16]), new Heatmap(null, 4, 4, new float[16]), new Heatmap("bad", 4, 4, new float[3])],
            new InputPlacement(0, 0, 1, 1))]);
        var maps = HeatmapImages.Render(score, 100, 100);
        Assert.Equal(["a", HeatmapImages.WholeImage], maps.Select(m => m.Label));
    }

    [Fact]
    public void The_map_read_back_from_its_display_PNG_keeps_its_values_within_one_alpha_step()
    {
        var values = Enumerable.Range(0, 16 * 16).Select(i => i % 16 / 15f).ToArray();
        var png = HeatmapImages.ToPng(new Heatmap("nodule", 16, 16, values), new InputPlacement(0, 0, 1, 1), imageRows: 16, imageColumns: 16);
        var back = HeatmapImages.FromPng("nodule", png);
        Assert.Equal(("nodule", 16, 16), (back.Label, back.Width, back.Height));
        for (var x = 0; x < 16; x++)
        {
            Assert.InRange(back.Values[5 * 16 + x], values[5 * 16 + x] - 0.02f, values[5 * 16 + x] + 0.02f);
        }
    }
}
