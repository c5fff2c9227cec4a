using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;
using RemoteDx.Browser.Tests.Support;
using Xunit.Abstractions;

namespace RemoteDx.Browser.Tests;

/// <summary>Client-side windowing and the reading tools (issue 18 items 2 and 5) in headless Chromium, each at 390×844
/// (a phone, device metrics emulated) and 1400×900: values fetched once per size step and windowed in a canvas (a drag
/// sends nothing), progressive first paint with a "Lossy preview" label until "Full resolution", presets from the file's
/// own windows, length measurement with its calibration named, orientation markers, corner text, the DICOM header.</summary>
public sealed partial class ReadingToolsTests(ReadingToolsFixture fx, ITestOutputHelper output) : IClassFixture<ReadingToolsFixture>
{
    private ChromiumSession Browser(string screen, string language = "en-US", [CallerMemberName] string test = "")
    {
        if (screen == "desktop")
        {
            return new ChromiumSession(fx.BaseUrl, test + "-desktop", language, 1400, 900);
        }
        var b = new ChromiumSession(fx.BaseUrl, test + "-phone", language, 390, 844);
        b.Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = 390, ["height"] = 844, ["deviceScaleFactor"] = 1, ["mobile"] = true,
        });
        return b;
    }

    private static ChromiumSession Open(ChromiumSession b, TestUser user, string study)
    {
        b.SignIn(user);
        b.Open("#/study/" + study);
        return b;
    }

    /// <summary>Waits until the canvas shows values of the current frame (and, if given, that step) with no load pending.</summary>
    private static string WaitForValues(ChromiumSession b, string? step = null) => b.Wait(_ => (string?)b.Js("""
        const c = document.querySelector('canvas#frame');
        const stage = document.querySelector('#stage');
        if (!c || c.hidden || !c.dataset.key || stage.classList.contains('loading')) return null;
        return arguments[0] === null || c.dataset.step === arguments[0] ? c.dataset.step : null;
        """, step!), what: "values painted" + (step is null ? "" : $" at step {step}"))!;

    /// <summary>Picks a window preset as a user does: the select's value, then its change event.</summary>
    private static void ChoosePreset(ChromiumSession b, string value) => b.Js("""
        const s = document.getElementById('wl-preset');
        s.value = arguments[0];
        s.dispatchEvent(new Event('change'));
        """, value);

    /// <summary>Waits until the canvas shows the original values of instance <paramref name="sop"/>.</summary>
    private static void WaitForImage(ChromiumSession b, string sop) => b.Wait(_ => b.Js("""
        const c = document.querySelector('canvas#frame');
        return !!c && !c.hidden && c.dataset.key === arguments[0] + '|1' && c.dataset.step === 'full'
          && !document.querySelector('#stage').classList.contains('loading');
        """, sop) is true, what: $"the original values of {sop}");

    private static long CanvasChecksum(ChromiumSession b) => Convert.ToInt64(b.Js("""
        const c = document.querySelector('canvas#frame');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let s = 0;
        for (let k = 0; k < d.length; k += 4) s = (s * 31 + d[k]) % 2147483647;
        return s;
        """), CultureInfo.InvariantCulture);

    /// <summary>Requests made so far, the event stream (it reconnects on its own schedule) and lazily loaded thumbnails
    /// left out.</summary>
    private static List<string> Requests(ChromiumSession b) => ((IEnumerable<object>)b.Js("""
        return performance.getEntriesByType('resource').map((e) => e.name).filter((n) => !n.includes('/api/events') && !n.includes('/thumbnail'));
        """)!).Select(o => (string)o).ToList();

    [Theory]
    [InlineData("phone")]
    [InlineData("desktop")]
    public void Dragging_window_level_repaints_the_canvas_and_sends_no_request(string screen)
    {
        using var b = Open(Browser(screen), fx.Radiologist, fx.Film.Study);
        WaitForValues(b);
        // Let the progressive steps settle: then nothing else is due.
        b.Wait(_ => b.Js("return document.querySelector('#stage').classList.contains('loading')") is false, what: "no load pending");
        var before = Requests(b);
        var pixels = CanvasChecksum(b);
        var readout = b.Text("#readout");
        var paints = b.Js("return Number(document.querySelector('canvas#frame').dataset.paints)");

        var stage = b.WaitFor("#stage");
        new Actions(b.Driver).MoveToElement(stage).ClickAndHold().MoveByOffset(-60, 30).MoveByOffset(-40, 20).MoveByOffset(-30, 10).Release().Perform();
        b.Wait(_ => b.Text("#readout") != readout, what: "the readout shows the dragged window");
        b.Wait(_ => CanvasChecksum(b) != pixels, what: "the canvas repainted with the new window");
        Assert.NotEqual(paints, b.Js("return Number(document.querySelector('canvas#frame').dataset.paints)"));
        Assert.Equal("custom", b.Js("return document.querySelector('#wl-preset').value"));

        // A second drag and an invert: still nothing on the wire.
        new Actions(b.Driver).MoveToElement(stage).ClickAndHold().MoveByOffset(50, -25).Release().Perform();
        b.Driver.FindElement(By.Id("btn-invert")).Click();
        var after = Requests(b);
        Assert.Equal(before, after);
        b.Screenshot("dragged");
    }

    [Theory]
    [InlineData("phone")]
    [InlineData("desktop")]
    public void A_small_step_paints_first_is_labelled_lossy_and_Full_resolution_loads_the_original(string screen)
    {
        using var b = Open(Browser(screen), fx.Radiologist, fx.Film.Study);
        var step = WaitForValues(b);
        Assert.NotEqual("full", step);
        var lossy = b.WaitFor("#lossy-label");
        Assert.Equal("Lossy preview", lossy.Text);
        var values = Requests(b).Where(r => r.Contains("/values", StringComparison.Ordinal)).ToList();
        Assert.Contains("size=512", values[0], StringComparison.Ordinal);
        Assert.All(values, v => Assert.DoesNotContain("FILM", v, StringComparison.OrdinalIgnoreCase));
        if (screen == "desktop")
        {
            // 1400×900 shows the 1500-row film at ~0.45: the 1024 step follows the 512 one.
            Assert.Equal("1024", WaitForValues(b, "1024"));
            Assert.True(Requests(b).Count(r => r.Contains("size=1024", StringComparison.Ordinal)) == 1);
            Assert.True(b.Driver.FindElement(By.Id("lossy-label")).Displayed, "a 1024 step of a 1500-row film is still a lossy preview");
        }
        b.Screenshot("preview");

        var full = b.Driver.FindElement(By.Id("btn-full"));
        Assert.Equal("Full resolution", full.Text);
        full.Click();
        WaitForValues(b, "full");
        Assert.False(b.Driver.FindElement(By.Id("lossy-label")).Displayed, "the original values are not a lossy preview");
        Assert.Equal(1, Requests(b).Count(r => r.Contains("size=full", StringComparison.Ordinal)));
        Assert.Equal(new long[] { 1200, 1500 }, ((IEnumerable<object>)b.Js("const c = document.querySelector('canvas#frame'); return [c.width, c.height];")!)
            .Select(o => Convert.ToInt64(o, CultureInfo.InvariantCulture)));
        Assert.Equal("true", full.GetAttribute("aria-pressed"));
    }

    // The canvas against the server's own rendering of the same window (PNG, lossless): the browser's lookup table must
    // reproduce the Modality LUT, the VOI function and MONOCHROME1 exactly (±1 for rounding).
    private const string CompareWithServer = """
        const [url, done] = [arguments[0], arguments[arguments.length - 1]];
        const c = document.querySelector('canvas#frame');
        const img = new Image();
        img.onload = () => {
          const o = document.createElement('canvas');
          o.width = c.width; o.height = c.height;
          const g = o.getContext('2d');
          g.drawImage(img, 0, 0);
          const a = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          const b = g.getImageData(0, 0, c.width, c.height).data;
          let max = 0, off = 0;
          for (let k = 0; k < a.length; k += 4) { const d = Math.abs(a[k] - b[k]); if (d > max) max = d; if (d) off++; }
          done([img.naturalWidth, img.naturalHeight, max, off]);
        };
        img.onerror = () => done(['error']);
        img.src = url;
        """;

    private long[] Compare(ChromiumSession b, string url) =>
        ((IEnumerable<object>)b.Driver.ExecuteAsyncScript(CompareWithServer, url)!).Select(o => Convert.ToInt64(o, CultureInfo.InvariantCulture)).ToArray();

    [Theory]
    [InlineData("phone")]
    [InlineData("desktop")]
    public void The_canvas_matches_the_servers_rendering_for_CT_presets_and_MONOCHROME1(string screen)
    {
        using var b = Open(Browser(screen), fx.Radiologist, fx.Ct.Study);
        Assert.Equal("full", WaitForValues(b));
        var sop = Uri.EscapeDataString(fx.Ct.Sop);
        // The file's window (40/400, HU after the −1024 intercept).
        var r = Compare(b, $"/api/instances/{sop}/frames/1?format=png");
        output.WriteLine($"{screen} CT default: {string.Join(',', r)}");
        Assert.Equal([256, 256], r[..2]);
        Assert.True(r[2] <= 1, $"CT default window: max difference {r[2]}");
        var options = b.Driver.FindElements(By.CssSelector("#wl-preset option")).Select(o => o.GetAttribute("value")).ToList();
        Assert.Contains("lung", options);
        Assert.Contains("file0", options);
        Assert.Equal("File: ABDOMEN", b.Driver.FindElement(By.CssSelector("#wl-preset option[value='file0']")).Text);
        ChoosePreset(b, "lung");
        b.Wait(_ => b.Text("#readout").StartsWith("WL -600 / WW 1,500", StringComparison.Ordinal), what: "lung window");
        r = Compare(b, $"/api/instances/{sop}/frames/1?format=png&wc=-600&ww=1500");
        Assert.True(r[2] <= 1, $"CT lung window: max difference {r[2]}");

        // MONOCHROME1 with no window of its own: the full range, white for the smallest value.
        b.Open("#/study/" + fx.Plain.Study);
        WaitForImage(b, fx.Plain.Sop);
        r = Compare(b, $"/api/instances/{Uri.EscapeDataString(fx.Plain.Sop)}/frames/1?format=png");
        Assert.True(r[2] <= 1, $"MONOCHROME1: max difference {r[2]}");
        b.Screenshot("monochrome1");
    }

    [Theory]
    [InlineData("phone")]
    [InlineData("desktop")]
    public void A_DX_film_offers_its_own_windows_and_projection_defaults_and_applying_one_costs_no_request(string screen)
    {
        using var b = Open(Browser(screen), fx.Radiologist, fx.Film.Study);
        WaitForValues(b);
        b.Wait(_ => b.Js("return document.querySelector('#stage').classList.contains('loading')") is false, what: "no load pending");
        var labels = b.Driver.FindElements(By.CssSelector("#wl-preset option:not([hidden])")).Select(o => o.Text).ToList();
        Assert.Equal(["From image", "File: NORMAL", "File: HARD", "Full range", "High contrast"], labels);
        Assert.StartsWith("WL 2,000 / WW 3,000", b.Text("#readout"), StringComparison.Ordinal);
        var before = Requests(b);
        ChoosePreset(b, "file1");
        b.Wait(_ => b.Text("#readout").StartsWith("WL 2,400 / WW 1,200", StringComparison.Ordinal), what: "the HARD window");
        ChoosePreset(b, "contrast");
        b.Wait(_ => !b.Text("#readout").StartsWith("WL 2,400", StringComparison.Ordinal), what: "the high-contrast window");
        Assert.Equal(before, Requests(b));
    }

    [GeneratedRegex(@"^([\d.,]+) (mm at the detector \(Imager Pixel Spacing\)|mm \(Pixel Spacing\)|pixels \(no pixel spacing\))$")]
    private static partial Regex MeasureLabel();

    /// <summary>Drags the measure tool 200 screen pixels to the right from the stage centre; returns (label text,
    /// expected length in image pixels from the view's scale).</summary>
    private static (string Label, double ImagePixels) MeasureAcross(ChromiumSession b)
    {
        b.Driver.FindElement(By.Id("tool-measure")).Click();
        var stage = b.WaitFor("#stage");
        new Actions(b.Driver).MoveToElement(stage, -100, 0).ClickAndHold().MoveByOffset(100, 0).MoveByOffset(100, 0).Release().Perform();
        var label = b.WaitFor(".measure-label").Text;
        var scale = Convert.ToDouble(b.Js("return new DOMMatrix(getComputedStyle(document.querySelector('#stage .layer')).transform).a;"), CultureInfo.InvariantCulture);
        return (label, 200 / scale);
    }

    private static double Number(string text) => double.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("phone")]
    [InlineData("desktop")]
    public void A_length_is_measured_with_the_calibration_the_file_has_and_the_label_names_it(string screen)
    {
        using var b = Open(Browser(screen), fx.Radiologist, fx.Film.Study);
        WaitForValues(b);
        var (label, px) = MeasureAcross(b);
        var m = MeasureLabel().Match(label);
        Assert.True(m.Success, $"label '{label}'");
        Assert.Equal("mm at the detector (Imager Pixel Spacing)", m.Groups[2].Value);
        Assert.InRange(Number(m.Groups[1].Value), px * ReadingToolsFixture.DetectorSpacing * 0.97, px * ReadingToolsFixture.DetectorSpacing * 1.03);
        b.Screenshot("detector");

        b.Open("#/study/" + fx.Ct.Study);
        WaitForImage(b, fx.Ct.Sop);
        (label, px) = MeasureAcross(b);
        m = MeasureLabel().Match(label);
        Assert.True(m.Success, $"label '{label}'");
        Assert.Equal("mm (Pixel Spacing)", m.Groups[2].Value);
        Assert.InRange(Number(m.Groups[1].Value), px * ReadingToolsFixture.CtSpacing * 0.97, px * ReadingToolsFixture.CtSpacing * 1.03);

        b.Open("#/study/" + fx.Plain.Study);
        WaitForImage(b, fx.Plain.Sop);
        (label, px) = MeasureAcross(b);
        m = MeasureLabel().Match(label);
        Assert.True(m.Success, $"label '{label}'");
        Assert.Equal("pixels (no pixel spacing)", m.Groups[2].Value);
        Assert.InRange(Number(m.Groups[1].Value), px * 0.97 - 1, px * 1.03 + 1);
    }

    private static string[] Markers(ChromiumSession b) => ((IEnumerable<object>)b.Js("""
        return ['left', 'right', 'top', 'bottom'].map((e) => { const m = document.getElementById('orient-' + e); return m.hidden ? '' : m.textContent; });
        """)!).Select(o => (string)o).ToArray();

    [Theory]
    [InlineData("phone")]
    [InlineData("desktop")]
    public void Orientation_markers_come_from_Patient_Orientation_else_from_a_chest_films_View_Position(string screen)
    {
        using var b = Open(Browser(screen), fx.Radiologist, fx.Film.Study);
        WaitForValues(b);
        Assert.Equal(["R", "L", "H", "F"], Markers(b));
        Assert.Contains("View Position", b.Driver.FindElement(By.Id("orient-right")).GetAttribute("title"), StringComparison.Ordinal);
        var stage = b.WaitFor("#stage");
        var right = b.Driver.FindElement(By.Id("orient-right"));
        Assert.True(right.Location.X > stage.Location.X + stage.Size.Width / 2, "L is on the right edge");

        b.Open("#/study/" + fx.Ct.Study);
        WaitForImage(b, fx.Ct.Sop);
        // Patient Orientation L\P: rows run to the patient's left, columns to posterior.
        Assert.Equal(["R", "L", "A", "P"], Markers(b));

        b.Open("#/study/" + fx.Plain.Study);
        WaitForImage(b, fx.Plain.Sop);
        Assert.Equal(["", "", "", ""], Markers(b));
    }

    [Theory]
    [InlineData("phone")]
    [InlineData("desktop")]
    public void Corner_text_shows_patient_study_series_and_frame_and_stays_bidi_correct_in_Arabic(string screen)
    {
        using (var b = Open(Browser(screen), fx.Radiologist, fx.Film.Study))
        {
            WaitForValues(b);
            Assert.Contains("FILM, BIG", b.Text("#corner-tl"), StringComparison.Ordinal);
            Assert.Contains("RT-DX", b.Text("#corner-tl"), StringComparison.Ordinal);
            Assert.Contains("DX reading tools", b.Text("#corner-tr"), StringComparison.Ordinal);
            Assert.Contains("Series 3", b.Text("#corner-bl"), StringComparison.Ordinal);
            Assert.Contains("Image 1/1", b.Text("#corner-bl"), StringComparison.Ordinal);
            Assert.Matches(@"^WL 2,000 / WW 3,000 · \d+%$", b.Text("#readout"));
            Assert.DoesNotContain("FILM", b.Driver.Url, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("RT-DX", b.Driver.Url, StringComparison.Ordinal);
        }

        using var ar = Open(Browser(screen, "ar"), fx.Radiologist, fx.Film.Study);
        ar.Wait(d => d.FindElement(By.TagName("html")).GetAttribute("dir") == "rtl", what: "Arabic");
        WaitForValues(ar);
        // The readout keeps "%" with its number: an isolated left-to-right run; values sit in <bdi>, lines are dir=auto.
        Assert.Equal("ltr", ar.Driver.FindElement(By.Id("readout")).GetAttribute("dir"));
        Assert.Matches(@"\d+\s?[%٪]$", ar.Text("#readout"));
        Assert.Equal("FILM, BIG", ar.Driver.FindElement(By.CssSelector("#corner-tl bdi")).Text);
        Assert.All(ar.Driver.FindElements(By.CssSelector(".corner > div")), d => Assert.Equal("auto", d.GetAttribute("dir")));
        Assert.Equal("rtl", ar.Js("return getComputedStyle(document.querySelector('#corner-bl > div:last-child')).direction"));
        ar.Screenshot("arabic");
    }

    [Theory]
    [InlineData("phone")]
    [InlineData("desktop")]
    public void The_DICOM_header_opens_in_a_dialog_and_filters_by_keyword(string screen)
    {
        using var b = Open(Browser(screen), fx.Radiologist, fx.Film.Study);
        WaitForValues(b);
        var urlBefore = b.Driver.Url;
        b.Driver.FindElement(By.Id("btn-header")).Click();
        var dialog = b.WaitFor("#header-dialog");
        b.Wait(_ => b.Driver.FindElements(By.CssSelector("#header-rows tr")).Count > 20, what: "header rows");
        Assert.Empty(b.Driver.FindElements(By.CssSelector("#header-rows tr[data-tag^='(7FE0']")));
        var filter = b.Driver.FindElement(By.Id("header-filter"));
        filter.SendKeys("patientname");
        b.Wait(_ => b.Driver.FindElements(By.CssSelector("#header-rows tr")).Count == 1, what: "one row left");
        var row = b.Driver.FindElement(By.CssSelector("#header-rows tr"));
        Assert.Equal("(0010,0010)", row.GetAttribute("data-tag"));
        Assert.Equal("FILM^BIG", row.FindElement(By.CssSelector("td.val")).Text);
        var (x, w) = (dialog.Location.X, dialog.Size.Width);
        var width = Convert.ToInt64(b.Js("return innerWidth"), CultureInfo.InvariantCulture);
        Assert.True(x >= 0 && x + w <= width, $"the dialog fits the screen ({x}+{w} of {width})");
        b.Screenshot("filtered");

        filter.Clear();
        filter.SendKeys("no-such-element-anywhere");
        b.Wait(_ => b.Text("#header-status") == "No element matches.", what: "nothing matches");
        b.Driver.FindElement(By.Id("header-close")).Click();
        b.Wait(d => d.FindElements(By.Id("header-dialog")).Count == 0, what: "dialog closed");
        Assert.Equal(urlBefore, b.Driver.Url);
    }

    [Theory]
    [InlineData("phone")]
    [InlineData("desktop")]
    public void The_image_starts_higher_than_with_the_old_chrome_and_nothing_overflows(string screen)
    {
        using var b = Open(Browser(screen), fx.Radiologist, fx.Film.Study);
        WaitForValues(b);
        const string Top = "return Math.round(document.querySelector('#stage').getBoundingClientRect().top + scrollY);";
        var top = Convert.ToInt64(b.Js(Top), CultureInfo.InvariantCulture);
        var stageHeight = Convert.ToInt64(b.Js("return Math.round(document.querySelector('#stage').getBoundingClientRect().height)"), CultureInfo.InvariantCulture);
        Assert.True(Convert.ToInt64(b.Js("return document.documentElement.scrollWidth"), CultureInfo.InvariantCulture)
            <= Convert.ToInt64(b.Js("return innerWidth"), CultureInfo.InvariantCulture), "no horizontal overflow");
        // The same page with the viewer's chrome rules switched off (the layout before them).
        b.Js("document.querySelector('link[href=\"css/viewer.css\"]').disabled = true;");
        var before = Convert.ToInt64(b.Js(Top), CultureInfo.InvariantCulture);
        b.Js("document.querySelector('link[href=\"css/viewer.css\"]').disabled = false;");
        output.WriteLine($"{screen}: image starts at {top} px (without the viewer's rules {before} px), stage {stageHeight} px high");
        File.WriteAllText(Path.Combine(Paths.ArtifactDirectory, $"image-top-{screen}.txt"), $"{top} {before} {stageHeight}\n");
        Assert.True(top <= before - 40, $"{screen}: the image starts at {top} px, not 40 px above the old {before} px");
        Assert.True(top <= (screen == "desktop" ? 200 : 320), $"{screen}: {top} px of chrome above the image");
    }
}
