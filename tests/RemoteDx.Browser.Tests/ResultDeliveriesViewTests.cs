using System.Globalization;
using OpenQA.Selenium;
using RemoteDx.Browser.Tests.Support;

namespace RemoteDx.Browser.Tests;

/// <summary>The study's "Results" section (issue 16 item 7): the AI result series and where each result went — sent to
/// the clinic's PACS, pending for a PACS that is down — for a radiologist on a desktop and a phone, and for the clinic
/// without our side's error text.</summary>
public sealed class ResultDeliveriesViewTests(ResultDeliveriesFixture fx) : IClassFixture<ResultDeliveriesFixture>
{
    private static ChromiumSession Browser(Uri baseUrl, string name, int width, int height, string language = "en-US")
    {
        var b = new ChromiumSession(baseUrl, $"{name}-{width}x{height}", language, width, height);
        b.Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = width < 600,
        });
        return b;
    }

    private static IWebElement OpenResults(ChromiumSession b, string studyUid)
    {
        b.Open("#/study/" + studyUid);
        var section = b.WaitFor("#results");
        b.Js("arguments[0].scrollIntoView({ block: 'start' });", section);
        return section;
    }

    /// <summary>The card of one destination: AE@host:port, then a line per result object sent there.</summary>
    private static IWebElement Destination(IWebElement section, string destination) =>
        section.FindElements(By.CssSelector("#deliveries > .destination"))
            .Single(li => li.FindElement(By.CssSelector(".delivery-dest")).Text == destination);

    private static IWebElement AiReport(IWebElement destination) =>
        destination.FindElement(By.CssSelector(".delivery[data-kind='sr']"));

    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public void A_radiologist_sees_the_AI_result_series_the_delivery_sent_to_the_clinic_PACS_and_the_one_pending_for_a_PACS_that_is_down(
        int width, int height)
    {
        using var b = Browser(fx.Server.BaseUrl, nameof(A_radiologist_sees_the_AI_result_series_the_delivery_sent_to_the_clinic_PACS_and_the_one_pending_for_a_PACS_that_is_down), width, height);
        b.SignIn(fx.Radiologist);
        var section = OpenResults(b, fx.StudyUid);

        var series = section.FindElements(By.CssSelector("#result-series li"));
        Assert.Contains(series, s => s.GetAttribute("data-modality") == "SR" && s.Text.Contains("AI report", StringComparison.Ordinal));

        var pacs = Destination(section, fx.PacsDestination);
        Assert.Equal("sent", pacs.GetAttribute("data-status"));
        var sent = AiReport(pacs);
        Assert.Equal("sent", sent.GetAttribute("data-status"));
        Assert.Equal("Sent", sent.FindElement(By.CssSelector(".delivery-status")).Text);
        Assert.Contains("AI report", sent.Text, StringComparison.Ordinal);
        Assert.Empty(pacs.FindElements(By.CssSelector(".delivery-error")));

        var down = Destination(section, fx.DownDestination);
        Assert.Equal("pending", down.GetAttribute("data-status"));
        var pending = AiReport(down);
        Assert.Equal("pending", pending.GetAttribute("data-status"));
        Assert.Equal("Pending", pending.FindElement(By.CssSelector(".delivery-status")).Text);
        Assert.Contains("attempts: 1", pending.Text, StringComparison.Ordinal);
        Assert.Contains("next try", pending.Text, StringComparison.Ordinal);
        // Staff see why it is still pending, once per distinct error.
        var error = Assert.Single(down.FindElements(By.CssSelector(".delivery-error")));
        Assert.Contains("127.0.0.1", error.Text, StringComparison.Ordinal);

        var summary = b.Driver.FindElement(By.Id("deliveries-summary"));
        var objects = section.FindElements(By.CssSelector("#deliveries .delivery"));
        Assert.Equal(summary.GetAttribute("data-total"), objects.Count.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(summary.GetAttribute("data-sent"),
            objects.Count(o => o.GetAttribute("data-status") == "sent").ToString(CultureInfo.InvariantCulture));

        // Nothing wider than the screen (a long AE@host:port breaks instead), and the section lies inside the viewport.
        var w = ((IReadOnlyCollection<object>)b.Js("""
            const r = document.getElementById('results').getBoundingClientRect();
            return [document.documentElement.scrollWidth, innerWidth, r.left, r.right];
            """)!).Select(o => Convert.ToDouble(o, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(w[0] <= w[1], $"page is {w[0]} px wide on a {w[1]} px screen");
        Assert.True(w[2] >= 0 && w[3] <= w[1] + 0.5, $"results section spans {w[2]}–{w[3]} px on a {w[1]} px screen");
        if (width < 600)
        {
            // Phones stack the study: the results come below the image, not beside it.
            Assert.Equal(true, b.Js("""
                return document.querySelector('.stage').getBoundingClientRect().bottom
                  <= document.getElementById('results').getBoundingClientRect().top + 0.5;
                """));
        }
        b.Screenshot("results");
        Assert.Empty(b.CspViolations());
    }

    [Fact]
    public async Task A_clinic_user_sees_whether_results_reached_its_PACS_and_no_error_details()
    {
        using var api = await ApiClient.SignInAsync(fx.Server.BaseUrl, fx.ClinicUser);
        var study = await api.GetJsonAsync($"api/studies/{fx.StudyUid}");
        Assert.All(study.GetProperty("deliveries").EnumerateArray(),
            d => Assert.Equal(System.Text.Json.JsonValueKind.Null, d.GetProperty("lastError").ValueKind));

        using var b = Browser(fx.Server.BaseUrl, nameof(A_clinic_user_sees_whether_results_reached_its_PACS_and_no_error_details), 390, 844);
        b.SignIn(fx.ClinicUser);
        var section = OpenResults(b, fx.StudyUid);
        var summary = b.Driver.FindElement(By.Id("deliveries-summary"));
        Assert.Contains("results delivered to your PACS", summary.Text, StringComparison.Ordinal);
        Assert.Equal("sent", Destination(section, fx.PacsDestination).GetAttribute("data-status"));
        Assert.Equal("pending", Destination(section, fx.DownDestination).GetAttribute("data-status"));
        Assert.Empty(section.FindElements(By.CssSelector(".delivery-error")));
        Assert.DoesNotContain("refused", section.Text, StringComparison.OrdinalIgnoreCase);
        b.Screenshot("results");
    }

    [Fact]
    public void In_Arabic_the_Results_section_is_translated_and_mirrored_while_AE_host_port_stays_left_to_right()
    {
        using var b = Browser(fx.Server.BaseUrl, nameof(In_Arabic_the_Results_section_is_translated_and_mirrored_while_AE_host_port_stays_left_to_right),
            390, 844, "ar");
        b.SignIn(fx.Radiologist);
        var section = OpenResults(b, fx.StudyUid);
        Assert.Equal("rtl", b.Js("return document.documentElement.dir;"));
        Assert.Equal("النتائج", section.FindElement(By.Id("results-title")).Text);
        var dest = Destination(section, fx.PacsDestination).FindElement(By.CssSelector(".delivery-dest"));
        Assert.Equal("ltr", b.Js("return getComputedStyle(arguments[0]).direction;", dest));
        Assert.Equal("أُرسل", AiReport(Destination(section, fx.PacsDestination)).FindElement(By.CssSelector(".delivery-status")).Text);
        b.Screenshot("results");
    }
}
