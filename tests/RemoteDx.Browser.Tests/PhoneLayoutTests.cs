using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using OpenQA.Selenium;
using RemoteDx.Browser.Tests.Support;
using Xunit.Abstractions;

namespace RemoteDx.Browser.Tests;

/// <summary>The viewer on a phone (390×844) and a desktop (1400×900): every action reachable, nothing wider than the
/// screen, the "no model applies" state, and the bytes the first screen costs.</summary>
[Collection("viewer")]
public sealed class PhoneLayoutTests(ViewerFixture fx, ITestOutputHelper output)
{
    private const int PhoneWidth = 390, PhoneHeight = 844;

    private ChromiumSession Phone([CallerMemberName] string test = "")
    {
        var b = new ChromiumSession(fx.BaseUrl, test, width: PhoneWidth, height: PhoneHeight);
        // The viewport itself, as a phone reports it (window-size alone leaves room for browser chrome).
        b.Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = PhoneWidth, ["height"] = PhoneHeight, ["deviceScaleFactor"] = 1, ["mobile"] = true,
        });
        return b;
    }

    private ChromiumSession Desktop([CallerMemberName] string test = "") => new(fx.BaseUrl, test, width: 1400, height: 900);

    // Scrolls the element to the middle of the viewport and answers what is drawn at its centre: "ok" when it is the
    // element itself (or inside it), else a description of what covers it or why it cannot be reached.
    private const string Reachable = """
        const el = arguments[0];
        el.scrollIntoView({ block: 'center', inline: 'center' });
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return 'zero size';
        if (r.left < 0 || r.right > innerWidth || r.top < 0 || r.bottom > innerHeight)
          return `outside the viewport: ${Math.round(r.left)},${Math.round(r.top)}-${Math.round(r.right)},${Math.round(r.bottom)}`;
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (hit === el || el.contains(hit)) return 'ok';
        return 'covered by ' + (hit ? hit.tagName + '#' + hit.id + '.' + hit.className : 'nothing');
        """;

    private static void AssertNoHorizontalOverflow(ChromiumSession b, string where)
    {
        var widths = (IReadOnlyCollection<object>)b.Js(
            "return [document.documentElement.scrollWidth, innerWidth, document.getElementById('topbar').getBoundingClientRect().right];")!;
        var w = widths.Select(o => Convert.ToDouble(o, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(w[0] <= w[1], $"{where}: page is {w[0]} px wide on a {w[1]} px screen");
        Assert.True(w[2] <= w[1] + 0.5, $"{where}: top bar ends at {w[2]} px on a {w[1]} px screen");
    }

    [Fact]
    public async Task On_a_phone_Confirm_Dismiss_and_Mark_reviewed_can_be_reached_and_nothing_covers_them()
    {
        using var api = await ApiClient.SignInAsync(fx.BaseUrl, fx.Radiologist);
        var (uid, _) = await fx.StudyWithPositiveFindingAsync(api);
        using var b = Phone();
        b.SignIn(fx.Radiologist);
        Assert.Equal(PhoneWidth, Convert.ToInt32(b.Js("return innerWidth;"), CultureInfo.InvariantCulture));
        b.Open("#/study/" + uid);
        b.WaitFor("#findings .finding");
        b.Wait(d => b.Js("return document.querySelector('#frame') !== null;") is true, what: "the image viewer");
        AssertNoHorizontalOverflow(b, "study");
        b.Screenshot("top");

        foreach (var css in new[] { "#findings .btn.confirm", "#findings .btn.dismiss", "#mark-reviewed" })
        {
            var button = b.Driver.FindElement(By.CssSelector(css));
            Assert.Equal("ok", b.Js(Reachable, button));
            Assert.True(button.Enabled && button.Displayed, $"{css} is clickable");
        }
        // The image sits above the findings, not on top of them.
        var order = b.Js("""
            const stage = document.querySelector('.stage').getBoundingClientRect();
            const findings = document.getElementById('findings-panel').getBoundingClientRect();
            return stage.bottom <= findings.top + 0.5;
            """);
        Assert.Equal(true, order);
        b.Js("document.getElementById('mark-reviewed').scrollIntoView({ block: 'center' });");
        b.Screenshot("actions");
        Assert.Empty(b.CspViolations());
    }

    [Fact]
    public void On_a_phone_the_worklist_fits_the_screen_and_the_banner_folds_for_the_session()
    {
        using var b = Phone();
        b.SignIn(fx.Radiologist);
        var rows = b.WorklistRows();
        Assert.True(rows.Count >= 5, $"{rows.Count} rows");
        AssertNoHorizontalOverflow(b, "worklist");
        Assert.Equal("ok", b.Js(Reachable, b.Driver.FindElement(By.Id("logout"))));
        b.Js("window.scrollTo(0, 0);");
        // Compact rows: at least five studies on the first screen.
        var fifthBottom = Convert.ToDouble(b.Js("return document.querySelectorAll('#worklist-rows tr')[4].getBoundingClientRect().bottom;"),
            CultureInfo.InvariantCulture);
        Assert.True(fifthBottom <= PhoneHeight, $"the fifth row ends at {fifthBottom} px");
        b.Screenshot("rows");

        var toggle = b.Driver.FindElement(By.Id("disclaimer-toggle"));
        var before = b.Driver.FindElement(By.Id("disclaimer")).Size.Height;
        toggle.Click();
        Assert.Contains("collapsed", b.Driver.FindElement(By.Id("disclaimer")).GetAttribute("class"));
        Assert.True(b.Driver.FindElement(By.Id("disclaimer")).Size.Height < before, "folding makes the banner shorter");
        b.Driver.Navigate().Refresh();
        b.WorklistRows();
        Assert.Contains("collapsed", b.Driver.FindElement(By.Id("disclaimer")).GetAttribute("class"));
        Assert.True(b.Driver.FindElement(By.Id("disclaimer")).Displayed, "the folded banner is still shown");
        Assert.Equal("false", b.Driver.FindElement(By.Id("disclaimer-toggle")).GetAttribute("aria-expanded"));
        b.Screenshot("folded");
    }

    [Fact]
    public void A_study_no_model_applies_to_reads_No_model_applies_in_the_worklist_and_the_study()
    {
        Assert.True(fx.ScoringAvailable, "serve has no model to score with");
        using var b = Desktop();
        b.SignIn(fx.Radiologist);
        b.WorklistRows();
        var row = b.WaitFor($"#worklist-rows tr[data-uid='{fx.HandStudy}']");
        Assert.Contains("not-applicable", row.GetAttribute("class"));
        Assert.Equal("No model applies", row.FindElement(By.CssSelector(".c-findings .badge.na")).Text);
        Assert.Empty(row.FindElements(By.CssSelector(".chip")));
        b.Screenshot("worklist");

        b.Open("#/study/" + fx.HandStudy);
        Assert.Equal("No model applies", b.Text("#study-na"));
        Assert.Equal("not-applicable", b.WaitFor("#no-findings").GetAttribute("data-state"));
        b.Screenshot("study");

        using var phone = Phone();
        phone.SignIn(fx.Radiologist);
        phone.Open("#/study/" + fx.HandStudy);
        Assert.Equal("No model applies", phone.Text("#study-na"));
        AssertNoHorizontalOverflow(phone, "not-applicable study");
        phone.Screenshot("phone");
    }

    [Fact]
    public async Task Static_files_and_JSON_are_compressed_but_not_the_answers_that_carry_the_CSRF_token()
    {
        using var api = await ApiClient.SignInAsync(fx.BaseUrl, fx.Radiologist);
        async Task<(string? Encoding, long Length)> Get(string path, string accept)
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, path);
            req.Headers.AcceptEncoding.ParseAdd(accept);
            using var res = await api.Http.SendAsync(req);
            Assert.True(res.IsSuccessStatusCode, $"{path}: {(int)res.StatusCode}");
            var body = await res.Content.ReadAsByteArrayAsync();
            return (res.Content.Headers.ContentEncoding.FirstOrDefault(), body.Length);
        }
        foreach (var path in new[] { "js/app.js", "css/app.css", "i18n/en.json", "api/worklist" })
        {
            var br = await Get(path, "br, gzip");
            var gz = await Get(path, "gzip");
            var plain = await Get(path, "identity");
            output.WriteLine($"{path}: {plain.Length} B, br {br.Length} B, gzip {gz.Length} B");
            Assert.Equal("br", br.Encoding);
            Assert.Equal("gzip", gz.Encoding);
            Assert.Null(plain.Encoding);
        }
        Assert.Null((await Get("api/me", "br, gzip")).Encoding);

        // The same seen by the browser.
        using var b = Desktop();
        b.Open();
        b.WaitFor("#login-username");
        var encoded = b.Js("""
            const e = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/js/app.js'));
            return e ? [e.encodedBodySize, e.decodedBodySize] : null;
            """) as IReadOnlyCollection<object>;
        Assert.NotNull(encoded);
        var sizes = encoded!.Select(o => Convert.ToInt64(o, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(sizes[0] < sizes[1], $"app.js arrived as {sizes[0]} of {sizes[1]} bytes");
    }

    // Every byte of a page load as the browser counts it: the document and each resource's transferSize (headers
    // included), with the URLs.
    private const string Transferred = """
        const nav = performance.getEntriesByType('navigation')[0];
        const res = performance.getEntriesByType('resource');
        const list = res.map((r) => r.name.replace(location.origin, '') + ' ' + r.transferSize + ' ' + r.decodedBodySize);
        return [nav.transferSize + res.reduce((n, r) => n + r.transferSize, 0),
          nav.decodedBodySize + res.reduce((n, r) => n + r.decodedBodySize, 0), list.join('\n')];
        """;

    [Fact]
    public void The_login_page_downloads_no_viewer_module_and_stays_under_40_KB()
    {
        using var b = Desktop();
        b.Open();
        b.WaitFor("#login-username");
        b.Wait(d => b.Js("return document.readyState;") as string == "complete", what: "page load");
        var scripts = ((IReadOnlyCollection<object>)b.Js(
            "return performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname);")!).Select(o => (string)o).ToList();
        Assert.Contains("/js/app.js", scripts);
        Assert.Contains("/js/login.js", scripts);
        foreach (var module in new[] { "/js/viewer.js", "/js/study.js", "/js/worklist.js", "/js/events.js" })
        {
            Assert.DoesNotContain(module, scripts);
        }
        var bytes = (IReadOnlyList<object>)b.Js(Transferred)!;
        var wire = Convert.ToInt64(bytes[0], CultureInfo.InvariantCulture);
        output.WriteLine($"login: {wire} B on the wire, {bytes[1]} B decoded\n{bytes[2]}");
        Assert.True(wire < 40 * 1024, $"the sign-in screen costs {wire} bytes");
        b.Screenshot();
    }

    // Records the version each /api/worklist answer carried (wraps fetch before the page's scripts run).
    private const string WorklistRecorder = """
        window.__wl = [];
        const realFetch = window.fetch;
        window.fetch = async function (input, init) {
          const res = await realFetch.apply(this, arguments);
          if (String(input).startsWith('/api/worklist')) {
            res.clone().json().then((d) => window.__wl.push(d.version)).catch(() => window.__wl.push('error'));
          }
          return res;
        };
        """;

    [Fact]
    public void The_worklist_is_fetched_once_per_load()
    {
        using var b = Desktop();
        b.Driver.ExecuteCdpCommand("Page.addScriptToEvaluateOnNewDocument", new Dictionary<string, object?> { ["source"] = WorklistRecorder });
        // The versions fetched: a second fetch is right only when the worklist changed in between (results series
        // written in the background do change it), never twice for the same version.
        List<string> Fetched()
        {
            b.WorklistRows();
            b.Wait(d => b.Js("return document.getElementById('live').dataset.state;") as string == "open", what: "event stream open");
            Thread.Sleep(1000);
            return ((IReadOnlyCollection<object>)b.Js("return window.__wl;")!).Select(o => Convert.ToString(o, CultureInfo.InvariantCulture)!).ToList();
        }

        // Cold: a fresh profile signs in; everything the first worklist screen needed, login included.
        b.SignIn(fx.Radiologist);
        var versions = Fetched();
        Assert.NotEmpty(versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
        var bytes = (IReadOnlyList<object>)b.Js(Transferred)!;
        output.WriteLine($"sign-in + worklist, cold: {bytes[0]} B on the wire, {bytes[1]} B decoded, versions {string.Join(",", versions)}\n{bytes[2]}");
        Assert.DoesNotContain("/js/viewer.js", (string)bytes[2]);
        Assert.True(Convert.ToInt64(bytes[0], CultureInfo.InvariantCulture) < 40 * 1024, $"the first worklist screen costs {bytes[0]} bytes");

        // Warm: a reload with the session cookie (/api/me, then the worklist).
        b.Driver.Navigate().Refresh();
        versions = Fetched();
        output.WriteLine($"reload: versions {string.Join(",", versions)}");
        Assert.NotEmpty(versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
        b.Screenshot();
    }
}
