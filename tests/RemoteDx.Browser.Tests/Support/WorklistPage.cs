using System.Globalization;
using OpenQA.Selenium;

namespace RemoteDx.Browser.Tests.Support;

/// <summary>What the worklist tests read from and do to the page, at any screen size.</summary>
public static class WorklistPage
{
    public const int PhoneWidth = 390, PhoneHeight = 844, DesktopWidth = 1400, DesktopHeight = 900;

    public static TheoryData<int, int> Sizes => new() { { PhoneWidth, PhoneHeight }, { DesktopWidth, DesktopHeight } };

    /// <summary>A fresh browser at <paramref name="width"/>×<paramref name="height"/>; below 700 px as a phone reports its
    /// viewport (device metrics, mobile).</summary>
    public static ChromiumSession Open(Uri baseUrl, string test, int width, int height, string language = "en-US")
    {
        var b = new ChromiumSession(baseUrl, $"{test}-{width}x{height}", language, width, height);
        if (width < 700)
        {
            b.Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
            {
                ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = true,
            });
        }
        return b;
    }

    /// <summary>The study UIDs of the rows shown, top to bottom.</summary>
    public static IReadOnlyList<string> Uids(ChromiumSession b) =>
        ((IEnumerable<object>)b.Js("return [...document.querySelectorAll('#worklist-rows tr')].map((r) => r.dataset.uid);")!)
            .Select(o => (string)o).ToList();

    /// <summary>Waits until the rows shown satisfy <paramref name="ok"/>; returns them.</summary>
    public static IReadOnlyList<string> WaitRows(ChromiumSession b, Func<IReadOnlyList<string>, bool> ok, string what)
    {
        b.WorklistRows();
        IReadOnlyList<string> last = [];
        try
        {
            b.Wait(_ => ok(last = Uids(b)), 30, what);
        }
        catch (WebDriverTimeoutException e)
        {
            throw new WebDriverTimeoutException($"{e.Message}; rows: {string.Join(", ", last)}", e);
        }
        return last;
    }

    /// <summary>Sets a control's value as typing would end, and lets the page hear it (input + change).</summary>
    public static void Set(ChromiumSession b, string css, string value) => b.Js("""
        const el = document.querySelector(arguments[0]);
        el.value = arguments[1];
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
        """, css, value);

    public static void Check(ChromiumSession b, string css, bool on) => b.Js("""
        const el = document.querySelector(arguments[0]);
        if (el.checked !== arguments[1]) el.click();
        """, css, on);

    public static string Attr(ChromiumSession b, string css, string name) =>
        (string?)b.Js("return document.querySelector(arguments[0])?.getAttribute(arguments[1]) ?? null;", css, name) ?? "";

    /// <summary>Text of each row's cell <paramref name="cell"/> (textContent: also where a phone hides the column).</summary>
    public static IReadOnlyList<string> Cells(ChromiumSession b, string cell) =>
        ((IEnumerable<object>)b.Js("return [...document.querySelectorAll('#worklist-rows tr ' + arguments[0])].map((c) => c.textContent.trim());", cell)!)
            .Select(o => (string)o).ToList();

    public static void AssertNoHorizontalOverflow(ChromiumSession b, string where)
    {
        var w = ((IReadOnlyCollection<object>)b.Js("return [document.documentElement.scrollWidth, innerWidth];")!)
            .Select(o => Convert.ToDouble(o, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(w[0] <= w[1], $"{where}: page is {w[0]} px wide on a {w[1]} px screen");
    }
}
