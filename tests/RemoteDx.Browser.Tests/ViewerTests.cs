using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;
using RemoteDx.Browser.Tests.Support;

namespace RemoteDx.Browser.Tests;

/// <summary>The viewer end to end in headless Chromium against `remotedx serve` (ViewerFixture holds the data).</summary>
[Collection("viewer")]
public sealed class ViewerTests(ViewerFixture fx)
{
    private ChromiumSession NewBrowser(string language = "en-US", [CallerMemberName] string test = "") => new(fx.BaseUrl, test, language);

    [Fact]
    public void A_wrong_password_is_refused_and_the_right_one_opens_the_worklist()
    {
        using var b = NewBrowser();
        b.Open();
        b.WaitFor("#login-username").SendKeys(fx.Radiologist.Name);
        b.Driver.FindElement(By.Id("login-password")).SendKeys("not-the-password");
        b.Driver.FindElement(By.Id("login-submit")).Click();
        var message = b.Wait(d => d.FindElement(By.Id("login-message")).Text is { Length: > 0 } t ? t : null, what: "login error");
        Assert.Equal("Wrong username or password.", message);
        Assert.Empty(b.Driver.FindElements(By.Id("worklist")));
        b.Screenshot("refused");

        b.Driver.FindElement(By.Id("login-password")).SendKeys(fx.Radiologist.Password);
        b.Driver.FindElement(By.Id("login-submit")).Click();
        b.WaitFor("#worklist");
        Assert.Contains(fx.Radiologist.Name, b.Text("#who"));
        Assert.True(b.Driver.FindElement(By.Id("disclaimer")).Displayed, "the not-a-diagnosis banner is shown");
    }

    [Fact]
    public async Task The_worklist_shows_studies_in_the_API_rank_order_with_STAT_marked()
    {
        using var api = await ApiClient.SignInAsync(fx.BaseUrl, fx.Radiologist);
        using var b = NewBrowser();
        b.SignIn(fx.Radiologist);
        var rows = b.WorklistRows();
        var shown = rows.Select(r => r.GetAttribute("data-uid")!).ToList();
        var expected = await api.WorklistOrderAsync();
        Assert.Equal(expected, shown);
        foreach (var uid in fx.AllStudies)
        {
            Assert.Contains(uid, shown);
        }

        var list = await api.GetJsonAsync("api/worklist?pageSize=50");
        var stat = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("stat").GetBoolean()).ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(stat[i], rows[i].FindElements(By.CssSelector(".badge.stat")).Count == 1);
        }
    }

    [Fact]
    public void Keyboard_j_k_and_Enter_open_the_selected_study()
    {
        using var b = NewBrowser();
        b.SignIn(fx.Radiologist);
        var uids = b.WorklistRows().Select(r => r.GetAttribute("data-uid")!).ToList();
        Assert.True(uids.Count >= 2);
        new Actions(b.Driver).SendKeys("j").SendKeys("j").SendKeys("k").Perform();
        var selected = b.Wait(d => d.FindElement(By.CssSelector("#worklist-rows tr[aria-selected='true']")), what: "a selected row");
        Assert.Equal(uids[0], selected.GetAttribute("data-uid"));
        new Actions(b.Driver).SendKeys("j").SendKeys(Keys.Enter).Perform();
        b.Wait(d => d.Url.EndsWith("#/study/" + uids[1], StringComparison.Ordinal), what: "study route");
        b.WaitFor("#frame");
    }

    [Fact]
    public void Opening_a_study_shows_its_thumbnails_image_and_identity()
    {
        using var b = NewBrowser();
        b.SignIn(fx.Radiologist);
        b.Open("#/study/" + fx.JaneDoeStudy);
        Assert.Equal("DOE, JANE", b.Text("#patient-name"));
        var thumb = b.WaitFor(".thumb img");
        b.Wait(_ => (bool)b.Js("return arguments[0].complete && arguments[0].naturalWidth > 0", thumb)!, what: "thumbnail decoded");
        WaitForFrame(b);
        Assert.DoesNotContain("DOE", b.Driver.Url, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("BT-001", b.Driver.Url, StringComparison.Ordinal);
    }

    [Fact]
    public void A_window_level_drag_changes_the_image()
    {
        using var b = NewBrowser();
        b.SignIn(fx.Radiologist);
        b.Open("#/study/" + fx.JaneDoeStudy);
        WaitForFrame(b);
        var pixelsBefore = FrameChecksum(b);
        var readout = b.Text("#readout");
        b.Screenshot("before");

        var stage = b.WaitFor("#stage");
        new Actions(b.Driver).MoveToElement(stage).ClickAndHold().MoveByOffset(-120, 60).MoveByOffset(-40, 20).Release().Perform();
        b.Wait(_ => b.Text("#readout") != readout, what: "the readout shows the dragged window");
        b.Wait(_ => FrameChecksum(b) != pixelsBefore, what: "the frame repainted with the dragged window");
        Assert.Equal("custom", b.Js("return document.querySelector('#wl-preset').value"));
    }

    [Fact]
    public async Task Confirming_a_finding_is_saved_and_survives_a_reload()
    {
        using var api = await ApiClient.SignInAsync(fx.BaseUrl, fx.Radiologist);
        var (uid, _) = await fx.StudyWithPositiveFindingAsync(api);
        using var b = NewBrowser();
        b.SignIn(fx.Radiologist);
        b.Open("#/study/" + uid);
        var finding = b.WaitFor("#findings li.finding.positive");
        var id = finding.GetAttribute("data-id");
        finding.FindElement(By.CssSelector("button.confirm")).Click();
        b.Wait(d => d.FindElement(By.CssSelector($"li.finding[data-id='{id}']")).GetAttribute("data-decision") == "confirmed",
            what: "finding marked confirmed");

        b.Driver.Navigate().Refresh();
        var reloaded = b.WaitFor($"li.finding[data-id='{id}']");
        Assert.Equal("confirmed", reloaded.GetAttribute("data-decision"));
        Assert.Equal("true", reloaded.FindElement(By.CssSelector("button.confirm")).GetAttribute("aria-pressed"));

        var study = await api.GetJsonAsync($"api/studies/{uid}");
        var saved = study.GetProperty("series").EnumerateArray().SelectMany(s => s.GetProperty("instances").EnumerateArray())
            .SelectMany(i => i.GetProperty("findings").EnumerateArray())
            .Single(f => f.GetProperty("id").ToString() == id);
        Assert.Equal("confirmed", saved.GetProperty("review").GetProperty("decision").GetString());
        Assert.Equal(fx.Radiologist.Name, saved.GetProperty("review").GetProperty("by").GetString());
    }

    [Fact]
    public void Arabic_switches_the_page_to_right_to_left_and_mirrors_the_layout()
    {
        using var b = NewBrowser();
        b.SignIn(fx.Radiologist);
        var brand = b.WaitFor("#brand");
        var width = (long)b.Js("return document.documentElement.clientWidth")!;
        var ltrX = brand.Location.X;
        var firstHeaderLtr = b.WaitFor("#worklist th").Location.X;
        Assert.True(ltrX < width / 2, $"brand starts on the left in English (x={ltrX})");

        b.Driver.FindElement(By.CssSelector("#lang-select option[value='ar']")).Click();
        b.Wait(d => d.FindElement(By.TagName("html")).GetAttribute("dir") == "rtl", what: "dir=rtl");
        Assert.Equal("ar", b.Driver.FindElement(By.TagName("html")).GetAttribute("lang"));
        var arabic = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.WwwRoot, "i18n", "ar.json"))).RootElement;
        b.Wait(d => d.FindElement(By.Id("logout")).Text == arabic.GetProperty("nav.logout").GetString(), what: "Arabic strings");
        var rtlX = b.Driver.FindElement(By.Id("brand")).Location.X;
        Assert.True(rtlX > width / 2, $"brand moves to the right in Arabic (x={rtlX}, width={width})");
        var firstHeaderRtl = b.WaitFor("#worklist th").Location.X;
        Assert.True(firstHeaderRtl > firstHeaderLtr, "the worklist's first column moves to the right");

        // Remembered: a new page load stays in Arabic.
        b.Driver.Navigate().Refresh();
        b.Wait(d => d.FindElement(By.TagName("html")).GetAttribute("dir") == "rtl", what: "dir=rtl after reload");
    }

    [Fact]
    public async Task A_clinic_user_cannot_see_another_clinics_study()
    {
        using var api = await ApiClient.SignInAsync(fx.BaseUrl, fx.ClinicUser);
        var (status, _) = await api.GetAsync($"api/studies/{fx.ClinicAStudy}");
        Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"GET another clinic's study answered {(int)status}");
        var own = await api.WorklistOrderAsync(200);
        Assert.Contains(fx.ClinicBStudy, own);
        Assert.DoesNotContain(fx.ClinicAStudy, own);

        using var b = NewBrowser();
        b.SignIn(fx.ClinicUser);
        var rows = b.WorklistRows().Select(r => r.GetAttribute("data-uid")).ToList();
        Assert.DoesNotContain(fx.ClinicAStudy, rows);
        b.Open("#/study/" + fx.ClinicAStudy);
        b.WaitFor("#study-error");
        Assert.Empty(b.Driver.FindElements(By.Id("patient-name")));
        Assert.DoesNotContain("DOE", b.Driver.FindElement(By.TagName("body")).Text, StringComparison.Ordinal);

        // Its own study opens read-only.
        b.Open("#/study/" + fx.ClinicBStudy);
        Assert.Equal("ROE, RICHARD", b.Text("#patient-name"));
        Assert.Empty(b.Driver.FindElements(By.Id("mark-reviewed")));
        Assert.Empty(b.Driver.FindElements(By.CssSelector("button.confirm")));
    }

    [Fact]
    public void A_patient_name_with_markup_is_shown_literally_and_runs_nothing()
    {
        using var b = NewBrowser();
        b.SignIn(fx.Radiologist);
        var row = b.Wait(d => d.FindElement(By.CssSelector($"#worklist-rows tr[data-uid='{fx.XssStudy}']")), what: "XSS row");
        Assert.Equal(TestStudies.XssName, row.FindElement(By.CssSelector(".pname")).Text);
        Assert.Empty(row.FindElements(By.CssSelector(".pname img")));

        b.Open("#/study/" + fx.XssStudy);
        Assert.Equal(TestStudies.XssName, b.Text("#patient-name"));
        Assert.Empty(b.Driver.FindElements(By.CssSelector("#patient-name *")));
        WaitForFrame(b);
        Assert.Empty(b.AlertCalls());
        Assert.Empty(b.CspViolations());
        Assert.Throws<NoAlertPresentException>(() => b.Driver.SwitchTo().Alert());
    }

    [Fact]
    public async Task Every_page_carries_the_CSP_and_the_viewer_causes_no_violation()
    {
        using (var http = new HttpClient { BaseAddress = fx.BaseUrl })
        {
            foreach (var path in new[] { "/", "/js/app.js", "/css/app.css" })
            {
                using var r = await http.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                var csp = string.Join(";", r.Headers.TryGetValues("Content-Security-Policy", out var v) ? v : []);
                Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
                Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
                Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            }
        }

        using var b = NewBrowser();
        b.SignIn(fx.Radiologist);
        b.WorklistRows();
        b.Open("#/study/" + fx.JaneDoeStudy);
        WaitForFrame(b);
        b.Driver.FindElement(By.Id("btn-invert")).Click();
        new Actions(b.Driver).MoveToElement(b.WaitFor("#stage")).ScrollByAmount(0, -200).Perform();
        Assert.Empty(b.CspViolations());
        Assert.DoesNotContain(b.ConsoleLog(), l => l.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_first_screen_weighs_under_300_KB_before_images()
    {
        using var b = NewBrowser();
        b.SignIn(fx.Radiologist);
        b.WorklistRows();
        var bytes = (long)b.Js("""
            const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
              .filter((e) => e.initiatorType !== 'img' && !/\/(thumbnail|frames|heatmap)/.test(e.name));
            return entries.reduce((n, e) => n + (e.encodedBodySize || 0), 0);
            """)!;
        Assert.InRange(bytes, 1, 300 * 1024);
        File.WriteAllText(Path.Combine(Paths.ArtifactDirectory, "first-screen-bytes.txt"), bytes + "\n");
    }

    [Fact]
    public void An_expired_session_returns_to_the_login_screen_and_then_to_the_study()
    {
        using var b = NewBrowser();
        b.SignIn(fx.Radiologist);
        b.WorklistRows();
        // The server no longer knows this browser: every API call now answers 401.
        b.Driver.Manage().Cookies.DeleteAllCookies();
        b.Open("#/study/" + fx.JaneDoeStudy);
        b.WaitFor("#login-form");
        Assert.Equal("Your session has expired. Please sign in again.", b.Text("#login-message"));
        b.Driver.FindElement(By.Id("login-username")).SendKeys(fx.Radiologist.Name);
        b.Driver.FindElement(By.Id("login-password")).SendKeys(fx.Radiologist.Password);
        b.Driver.FindElement(By.Id("login-submit")).Click();
        Assert.Equal("DOE, JANE", b.Text("#patient-name"));
    }

    /// <summary>Waits until the frame canvas shows the frame's values (not the thumbnail placeholder); returns its key.</summary>
    private static string WaitForFrame(ChromiumSession b) =>
        b.Wait(d => (string?)b.Js("""
            const c = document.querySelector('canvas#frame');
            return c && !c.hidden && c.dataset.key ? c.dataset.key : null;
            """), what: "a painted frame")!;

    /// <summary>A checksum of the frame canvas's pixels.</summary>
    private static long FrameChecksum(ChromiumSession b) => Convert.ToInt64(b.Js("""
        const c = document.querySelector('canvas#frame');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let s = 0;
        for (let k = 0; k < d.length; k += 4) s = (s * 31 + d[k]) % 2147483647;
        return s;
        """), System.Globalization.CultureInfo.InvariantCulture);
}
