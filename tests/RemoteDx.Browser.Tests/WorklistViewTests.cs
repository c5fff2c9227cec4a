using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using OpenQA.Selenium;
using RemoteDx.Browser.Tests.Support;
using static RemoteDx.Browser.Tests.Support.WorklistPage;

namespace RemoteDx.Browser.Tests;

/// <summary>The worklist of issue 18 item 3 at 390×844 and 1400×900: server-side search that folds case, accents and
/// scripts and keeps the text out of URLs, sortable columns, the "not yet reviewed" default, the clinic filter by name or
/// AE title, page 2 opening at its top, date filters in the UI language, and compact rows with only positive findings
/// and the radiologist's decisions.</summary>
[Collection("worklist")]
public sealed class WorklistViewTests(WorklistFixture fx)
{
    private ChromiumSession Browser(int width, int height, string language = "en-US", [CallerMemberName] string test = "") =>
        WorklistPage.Open(fx.BaseUrl, test, width, height, language);

    private string Uid(string patientId) => fx.StudyByPatientId[patientId];

    [Theory]
    [MemberData(nameof(Sizes), MemberType = typeof(WorklistPage))]
    public void Search_finds_name_words_ids_and_accessions_ignoring_case_accents_and_script_and_keeps_the_text_out_of_URLs(int width, int height)
    {
        using var b = Browser(width, height);
        b.SignIn(fx.Radiologist);
        b.WorklistRows();
        var search = b.WaitFor("#f-search");
        search.SendKeys("muller");
        WaitRows(b, r => r.SequenceEqual([Uid("WL-MUL-1")]), "MÜLLER^JOSÉ found by 'muller'");
        Assert.Contains("MÜLLER", b.Text("#worklist-rows .pname"), StringComparison.Ordinal);
        b.Screenshot("muller");
        foreach (var (typed, id) in new[] { ("AERO sø", "WL-AER-2"), ("محمد", "WL-ARA-3"), ("王", "WL-CHN-4"), ("jose", "WL-MUL-1"),
            ("wl-chn", "WL-CHN-4"), (fx.AccessionByPatientId["WL-F05"].ToLowerInvariant(), "WL-F05") })
        {
            Set(b, "#f-search", typed);
            WaitRows(b, r => r.SequenceEqual([Uid(id)]), $"'{typed}' finds {id} only");
        }
        // A prefix of many: the fillers WL-F00..F09 except the reviewed F01 (the default filter hides it).
        Set(b, "#f-search", "wl-f0");
        var rows = WaitRows(b, r => r.Count == 9, "nine unreviewed fillers WL-F0x");
        Assert.DoesNotContain(fx.ReviewedStudy, rows);
        AssertNoHorizontalOverflow(b, "search");

        // Every worklist request the page made carried the text in a header: no URL holds any of it, nor serve's log.
        var urls = ((IEnumerable<object>)b.Js("return performance.getEntriesByType('resource').map((r) => r.name);")!).Select(o => (string)o).ToList();
        Assert.Contains(urls, u => u.Contains("/api/worklist", StringComparison.Ordinal));
        foreach (var secret in new[] { "muller", "aero", "jose", "wl-f0", "acc", "%D9%85", "%E7%8E%8B", "q=", "search=" })
        {
            Assert.DoesNotContain(urls, u => u.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
        Assert.DoesNotContain("muller", fx.Server.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("MÜLLER", fx.Server.Output, StringComparison.Ordinal);
        Assert.Empty(b.CspViolations());
    }

    [Theory]
    [MemberData(nameof(Sizes), MemberType = typeof(WorklistPage))]
    public void Columns_sort_on_the_server_both_ways_and_the_order_survives_a_reload(int width, int height)
    {
        using var b = Browser(width, height);
        b.SignIn(fx.Radiologist);
        b.WorklistRows();
        var rank = Uids(b);
        Assert.Equal("descending", Attr(b, "th.h-priority", "aria-sort"));

        b.WaitFor("#sort-patient").Click();
        var byName = WaitRows(b, r => r.Count > 0 && r[0] == Uid("WL-AER-2"), "A → Z: Ærø (as 'aero') first");
        Assert.Equal("ascending", Attr(b, "th.h-patient", "aria-sort"));
        var names = Cells(b, ".pname");
        Assert.StartsWith("FILLER", names[1], StringComparison.Ordinal);
        Assert.Equal(Uid("WL-ARA-3"), byName[^1]); // Arabic letters sort after Latin and CJK-bearing Latin names
        b.Screenshot("by-name");

        b.WaitFor("#sort-patient").Click();
        var reversed = WaitRows(b, r => r.Count > 0 && r[0] == Uid("WL-ARA-3"), "Z → A");
        Assert.Equal(byName.Reverse(), reversed);
        Assert.Equal("descending", Attr(b, "th.h-patient", "aria-sort"));

        b.Open("#/worklist");
        WaitRows(b, r => r.SequenceEqual(reversed), "the sort is remembered for the tab");

        b.WaitFor("#sort-received").Click();
        var received = WaitRows(b, r => !r.SequenceEqual(reversed), "newest first");
        Assert.Equal(rank.Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
        b.WaitFor("#sort-priority").Click();
        WaitRows(b, r => r.SequenceEqual(rank), "back to rank order");
        Assert.Equal("descending", Attr(b, "th.h-priority", "aria-sort"));
        b.WaitFor("#sort-priority").Click();
        WaitRows(b, r => r.SequenceEqual(rank.Reverse()), "least urgent first");
        Assert.Equal("ascending", Attr(b, "th.h-priority", "aria-sort"));
        AssertNoHorizontalOverflow(b, "sorted");
    }

    [Theory]
    [MemberData(nameof(Sizes), MemberType = typeof(WorklistPage))]
    public void Unreviewed_is_the_default_filter_remembered_per_tab_and_the_clinic_filter_takes_a_name_or_an_AE_title_in_any_case(int width, int height)
    {
        using var b = Browser(width, height);
        b.SignIn(fx.Radiologist);
        b.WorklistRows();
        Assert.True(b.WaitFor("#f-unreviewed").Selected);
        WaitRows(b, r => r.Count > 0 && !r.Contains(fx.ReviewedStudy), "the reviewed study is hidden");
        Check(b, "#f-unreviewed", false);
        WaitRows(b, r => r.Contains(fx.ReviewedStudy), "shown once the filter is off");
        b.Open("#/worklist");
        WaitRows(b, r => r.Contains(fx.ReviewedStudy), "still off after a reload");
        Assert.False(b.WaitFor("#f-unreviewed").Selected);

        var clinicA = fx.StudyByPatientId.Where(p => ClinicOf(p.Key) == WorklistFixture.ClinicA).Select(p => p.Value).ToHashSet();
        foreach (var typed in new[] { "northside", "NORTHSIDE", "clinic_a" })
        {
            Set(b, "#f-clinic", typed);
            var rows = WaitRows(b, r => r.Count > 0 && r.All(clinicA.Contains) && clinicA.All(r.Contains), $"clinic '{typed}'");
            Assert.All(Cells(b, ".c-clinic"), c => Assert.Equal(WorklistFixture.ClinicAName, c));
            Assert.Equal(clinicA.Count, rows.Count);
        }
        Set(b, "#f-clinic", "Clinic_B");
        WaitRows(b, r => r.Count > 0 && r.All(u => !clinicA.Contains(u)), "clinic B by its AE title");
        Assert.All(Cells(b, ".c-clinic"), c => Assert.Equal(WorklistFixture.ClinicB, c));
        b.Screenshot();
        AssertNoHorizontalOverflow(b, "clinic filter");
    }

    private static string ClinicOf(string patientId) =>
        WorklistFixture.NamedPatients.FirstOrDefault(p => p.Id == patientId) is { Id: not null } named
            ? named.Clinic
            : int.Parse(patientId[4..], CultureInfo.InvariantCulture) % 3 == 0 ? WorklistFixture.ClinicB : WorklistFixture.ClinicA;

    [Theory]
    [MemberData(nameof(Sizes), MemberType = typeof(WorklistPage))]
    public void A_user_of_one_clinic_has_no_clinic_filter_and_finds_only_its_own_patients(int width, int height)
    {
        using var b = Browser(width, height);
        b.SignIn(fx.ClinicUser);
        var rows = WaitRows(b, r => r.Count > 0, "the clinic's studies");
        Assert.Empty(b.Driver.FindElements(By.Id("f-clinic")));
        Assert.All(Cells(b, ".c-clinic"), c => Assert.Equal(WorklistFixture.ClinicB, c));
        Assert.DoesNotContain(Uid("WL-MUL-1"), rows);
        Set(b, "#f-search", "muller"); // clinic A's patient: not found, though the name exists
        b.Wait(_ => b.Driver.FindElement(By.Id("wl-empty")).Displayed, what: "nothing found");
        Set(b, "#f-search", "محمد");
        WaitRows(b, r => r.SequenceEqual([Uid("WL-ARA-3")]), "its own patient is found");
        AssertNoHorizontalOverflow(b, "clinic user");
    }

    [Theory]
    [MemberData(nameof(Sizes), MemberType = typeof(WorklistPage))]
    public void Page_two_opens_scrolled_to_its_top(int width, int height)
    {
        using var b = Browser(width, height);
        b.SignIn(fx.Radiologist);
        b.WorklistRows();
        Check(b, "#f-unreviewed", false);
        Set(b, "#wl-page-size", "25");
        var first = WaitRows(b, r => r.Count == 25, "25 per page");
        // Scroll to the bottom of the list (the page on a phone, the list's own scroller on a desktop) and go on.
        b.Js("document.getElementById('wl-next').scrollIntoView({ block: 'end' }); const s = document.getElementById('wl-scroll'); s.scrollTop = s.scrollHeight;");
        Assert.True(Convert.ToDouble(b.Js("return Math.max(scrollY, document.getElementById('wl-scroll').scrollTop);"), CultureInfo.InvariantCulture) > 20,
            "scrolled down before paging");
        b.Driver.FindElement(By.Id("wl-next")).Click();
        var second = WaitRows(b, r => r.Count > 0 && !r.Intersect(first).Any(), "page 2");
        var tops = ((IReadOnlyCollection<object>)b.Js("""
            const row = document.querySelector('#worklist-rows tr').getBoundingClientRect();
            return [scrollY, document.getElementById('wl-scroll').scrollTop, row.top, innerHeight];
            """)!).Select(o => Convert.ToDouble(o, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(0, tops[0]);
        Assert.Equal(0, tops[1]);
        Assert.InRange(tops[2], 0, tops[3] - 20); // the first row of page 2 is on screen
        Assert.Contains("2", b.Text("#wl-summary"), StringComparison.Ordinal);
        b.Screenshot();
        Assert.NotEmpty(second);
    }

    [Theory]
    [InlineData("ar", "سنة-شهر-يوم", PhoneWidth, PhoneHeight)]
    [InlineData("zh-CN", "年-月-日", DesktopWidth, DesktopHeight)]
    [InlineData("ar", "سنة-شهر-يوم", DesktopWidth, DesktopHeight)]
    public void Date_filters_spell_the_format_in_the_UI_language_and_accept_its_digits(string language, string format, int width, int height)
    {
        using var b = Browser(width, height, language);
        b.SignIn(fx.Radiologist);
        b.WorklistRows();
        var from = b.Driver.FindElement(By.Id("f-from"));
        Assert.Equal("text", from.GetAttribute("type"));
        Assert.Equal(format, from.GetAttribute("placeholder"));
        Assert.DoesNotContain("mm", from.GetAttribute("placeholder"), StringComparison.OrdinalIgnoreCase);
        // Arabic-Indic digits, as an Arabic keyboard types them: every test study is dated 2026-11-28.
        Set(b, "#f-from", "٢٠٢٦-١١-٢٨");
        Set(b, "#f-to", "٢٠٢٦-١١-٢٨");
        WaitRows(b, r => r.Count > 10, "studies of 2026-11-28");
        Assert.Equal("false", Attr(b, "#f-from", "aria-invalid"));
        Set(b, "#f-from", "2026-11-29");
        b.Wait(_ => b.Driver.FindElement(By.Id("wl-empty")).Displayed, what: "nothing after the 28th");
        Set(b, "#f-to", "2026-13-01");
        Assert.Equal("true", Attr(b, "#f-to", "aria-invalid"));
        b.Screenshot();
        AssertNoHorizontalOverflow(b, "dates");
    }

    [Theory]
    [MemberData(nameof(Sizes), MemberType = typeof(WorklistPage))]
    public async Task Rows_are_compact_and_show_only_positive_findings_with_the_radiologists_decisions(int width, int height)
    {
        using var api = await ApiClient.SignInAsync(fx.BaseUrl, fx.Radiologist);
        // Two studies with a positive finding: dismiss one's, confirm the other's.
        var positives = new List<(string Study, long Finding)>();
        foreach (var uid in fx.StudyByPatientId.Values.Where(u => u != fx.ReviewedStudy))
        {
            var study = await api.GetJsonAsync($"api/studies/{uid}");
            var finding = study.GetProperty("series").EnumerateArray().SelectMany(s => s.GetProperty("instances").EnumerateArray())
                .SelectMany(i => i.GetProperty("findings").EnumerateArray()).FirstOrDefault(f => f.GetProperty("positive").GetBoolean());
            if (finding.ValueKind == JsonValueKind.Object)
            {
                positives.Add((uid, finding.GetProperty("id").GetInt64()));
            }
        }
        Assert.True(positives.Count >= 2, $"the model flagged {positives.Count} of the test studies; two are needed");
        var (dismissedStudy, dismissedFinding) = positives[0];
        var (confirmedStudy, confirmedFinding) = positives[1];
        (await api.PostAsync($"api/findings/{dismissedFinding}/review", new { decision = "dismissed" })).EnsureSuccessStatusCode();
        (await api.PostAsync($"api/findings/{confirmedFinding}/review", new { decision = "confirmed" })).EnsureSuccessStatusCode();

        using var b = Browser(width, height);
        b.SignIn(fx.Radiologist);
        var rows = WaitRows(b, r => r.Count >= 20, "a full page");
        // Only flagged (or confirmed) findings become chips: none reads 0 %, none is a plain model negative.
        var chips = ((IEnumerable<object>)b.Js("""
            return [...document.querySelectorAll('#worklist-rows .chip')].map((c) => c.className + '|' + (c.dataset.decision || '') + '|' + c.textContent);
            """)!).Select(o => (string)o).ToList();
        Assert.All(chips, c => Assert.True(c.Contains("positive", StringComparison.Ordinal) || c.Contains("dismissed", StringComparison.Ordinal)
            || c.Contains("more", StringComparison.Ordinal), c));
        Assert.DoesNotContain(chips, c => c.EndsWith(" 0%", StringComparison.Ordinal));
        var dismissed = b.Driver.FindElement(By.CssSelector($"#worklist-rows tr[data-uid='{dismissedStudy}'] .chip.dismissed"));
        Assert.Contains("dismissed", dismissed.Text, StringComparison.Ordinal);
        Assert.Empty(b.Driver.FindElements(By.CssSelector($"#worklist-rows tr[data-uid='{dismissedStudy}'] .chip.positive[data-decision='dismissed']")));
        var confirmed = b.Driver.FindElement(By.CssSelector($"#worklist-rows tr[data-uid='{confirmedStudy}'] .chip.confirmed"));
        Assert.Contains("✓", confirmed.Text, StringComparison.Ordinal);
        Assert.Equal("confirmed", confirmed.GetAttribute("data-decision"));
        AssertNoHorizontalOverflow(b, "rows");
        b.Screenshot();

        if (width >= 1400)
        {
            // One line per study: at least 20 whole rows inside the 900 px window.
            var fit = ((IReadOnlyCollection<object>)b.Js("""
                const rows = [...document.querySelectorAll('#worklist-rows tr')];
                const inView = rows.filter((r) => { const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; });
                const heights = rows.map((r) => r.getBoundingClientRect().height);
                return [inView.length, Math.max(...heights)];
                """)!).Select(o => Convert.ToDouble(o, CultureInfo.InvariantCulture)).ToArray();
            Assert.True(fit[0] >= 20, $"{fit[0]} rows fit at 1400×900");
            Assert.True(fit[1] <= 36, $"the tallest row is {fit[1]} px: more than one line");
        }
        Assert.True(rows.Count >= 20);
    }
}
