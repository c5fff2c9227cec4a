using System.Globalization;
using System.Text.Json;
using OpenQA.Selenium;
using RemoteDx.Browser.Tests.Support;

namespace RemoteDx.Browser.Tests;

/// <summary>Findings per label with the images they come from, decisions for the whole study with undo, clinical notes
/// from the clinic above the findings, and what a clinic user sees before and after review — each at 1400×900 and on a
/// 390×844 phone (docs/viewer.md "Findings", "Clinic").</summary>
[Collection("review")]
public sealed class StudyReviewTests(StudyReviewFixture fx)
{
    private ChromiumSession Browser(string test, int width, int height)
    {
        var b = new ChromiumSession(fx.BaseUrl, $"{test}-{width}x{height}", width: width, height: height);
        if (width < 500)
        {
            b.Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
            {
                ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = true,
            });
        }
        return b;
    }

    // Scrolls the element into the middle of the viewport; "ok" when what is drawn at its centre is the element.
    private const string Reachable = """
        const el = arguments[0];
        el.scrollIntoView({ block: 'center', inline: 'center' });
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return 'zero size';
        if (r.left < 0 || r.right > innerWidth || r.top < 0 || r.bottom > innerHeight) return 'outside the viewport';
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return hit === el || el.contains(hit) ? 'ok' : 'covered by ' + (hit ? hit.tagName + '.' + hit.className : 'nothing');
        """;

    /// <summary>Checks that nothing covers the element's centre once scrolled to, then clicks it. Under phone emulation
    /// (mobile viewport metrics) chromedriver's pointer click can land beside the element, so the click is the
    /// element's own click() there; the reachability check is what proves a finger could hit it.</summary>
    private static void Tap(ChromiumSession b, IWebElement el, int width)
    {
        Assert.Equal("ok", b.Js(Reachable, el));
        if (width < 500)
        {
            b.Js("arguments[0].click();", el);
        }
        else
        {
            el.Click();
        }
    }

    private static void AssertFitsTheScreen(ChromiumSession b)
    {
        var w = ((IReadOnlyCollection<object>)b.Js("return [document.documentElement.scrollWidth, innerWidth];")!)
            .Select(o => Convert.ToDouble(o, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(w[0] <= w[1], $"page is {w[0]} px wide on a {w[1]} px screen");
    }

    private static List<JsonElement> Groups(JsonElement study) => study.GetProperty("findingGroups").EnumerateArray().ToList();

    private static IEnumerable<JsonElement> Findings(JsonElement study, string model, string label) =>
        study.GetProperty("series").EnumerateArray().SelectMany(s => s.GetProperty("instances").EnumerateArray())
            .SelectMany(i => i.GetProperty("findings").EnumerateArray())
            .Where(f => f.GetProperty("model").GetString() == model && f.GetProperty("label").GetString() == label);

    private async Task<JsonElement> PositiveGroupAsync()
    {
        var groups = Groups(await fx.StudyAsync(fx.TwoImageStudy));
        return groups.FirstOrDefault(g => g.GetProperty("positive").GetBoolean()) is { ValueKind: JsonValueKind.Object } g
            ? g
            : throw new InvalidOperationException("the models flagged nothing in the two-image study: " + string.Join(", ",
                groups.Select(x => $"{x.GetProperty("label").GetString()} {x.GetProperty("probability").GetDouble()}")));
    }

    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public async Task A_two_image_study_lists_each_label_once_with_a_jump_to_each_image_and_below_threshold_ones_collapsed(int width, int height)
    {
        var study = await fx.StudyAsync(fx.TwoImageStudy);
        var groups = Groups(study);
        var positive = groups.Where(g => g.GetProperty("positive").GetBoolean()).ToList();
        var below = groups.Count - positive.Count;
        Assert.NotEmpty(groups);
        Assert.All(groups, g => Assert.Equal(2, g.GetProperty("images").GetArrayLength()));
        Assert.Equal(groups.Count, groups.Select(g => g.GetProperty("label").GetString()).Distinct().Count());

        using var b = Browser(nameof(A_two_image_study_lists_each_label_once_with_a_jump_to_each_image_and_below_threshold_ones_collapsed), width, height);
        b.SignIn(fx.Radiologist);
        b.Open("#/study/" + fx.TwoImageStudy);
        b.WaitFor("#findings-panel .finding-groups");
        var rows = b.Driver.FindElements(By.CssSelector("#findings-panel li.finding"));
        Assert.Equal(groups.Count, rows.Count);
        Assert.Equal(groups.Count, rows.Select(r => r.GetAttribute("data-label")).Distinct().Count());
        Assert.All(rows, r => Assert.Equal("2", r.GetAttribute("data-images")));
        Assert.Equal(positive.Count, b.Driver.FindElements(By.CssSelector("#findings > li.finding")).Count);

        if (below > 0)
        {
            var details = b.Driver.FindElement(By.Id("below-threshold"));
            Assert.Null(details.GetAttribute("open"));
            Assert.Equal($"Below threshold ({below})", details.FindElement(By.TagName("summary")).Text);
            Assert.Empty(details.FindElements(By.CssSelector("button.confirm, button.dismiss, button.undo")));
            Assert.All(details.FindElements(By.CssSelector("li.finding")), r => Assert.False(r.Displayed));
            Tap(b, details.FindElement(By.TagName("summary")), width);
            b.Wait(_ => details.GetAttribute("open") is not null, what: "below-threshold section open");
            Assert.All(details.FindElements(By.CssSelector("li.finding")), r => Assert.True(r.Displayed));
        }
        // Confirm/Dismiss only where the label reached its threshold on some image.
        Assert.Equal(positive.Count, b.Driver.FindElements(By.CssSelector("#findings-panel button.confirm")).Count);

        // Each image button shows that image: its thumbnail becomes the current one. The first row is a positive label,
        // and positive findings come with heatmaps (DESIGN.md "Results and delivery").
        var row = rows[0];
        Assert.Contains(row.FindElements(By.CssSelector("button.finding-image")), e => e.GetAttribute("data-heatmap") == "true");
        foreach (var image in row.FindElements(By.CssSelector("button.finding-image")).Reverse())
        {
            var sop = image.GetAttribute("data-sop");
            Tap(b, image, width);
            b.Wait(d => d.FindElements(By.CssSelector($".thumb[data-sop='{sop}'][aria-current='true']")).Count == 1, what: $"image {sop} shown");
            // With the label's heatmap over it, where the image has one.
            var label = row.GetAttribute("data-label");
            var expected = image.GetAttribute("data-heatmap") == "true";
            b.Wait(_ => (b.Js("return document.getElementById('heatmap-select').value;") as string ?? "")
                .Contains($"\"label\":\"{label}\"", StringComparison.Ordinal) == expected, what: $"heatmap of {label} on {sop}: {expected}");
        }
        AssertFitsTheScreen(b);
        b.Js("document.getElementById('findings-panel').scrollIntoView({ block: 'start' });");
        b.Screenshot("findings");
        Assert.Empty(b.CspViolations());
    }

    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public async Task Confirm_applies_to_the_label_on_both_images_and_Undo_clears_it(int width, int height)
    {
        var group = await PositiveGroupAsync();
        var (model, label) = (group.GetProperty("model").GetString()!, group.GetProperty("label").GetString()!);
        using var b = Browser(nameof(Confirm_applies_to_the_label_on_both_images_and_Undo_clears_it), width, height);
        b.SignIn(fx.Radiologist);
        b.Open("#/study/" + fx.TwoImageStudy);
        var css = $"#findings li.finding[data-label='{label}']";
        Tap(b, b.WaitFor(css + " button.confirm"), width);
        b.Wait(d => d.FindElement(By.CssSelector(css)).GetAttribute("data-decision") == "confirmed", what: "label confirmed");
        var afterConfirm = await fx.StudyAsync(fx.TwoImageStudy);
        Assert.Equal(2, Findings(afterConfirm, model, label).Count());
        Assert.All(Findings(afterConfirm, model, label), f => Assert.Equal("confirmed", f.GetProperty("review").GetProperty("decision").GetString()));
        Assert.Equal("confirmed", Groups(afterConfirm).Single(g => g.GetProperty("label").GetString() == label).GetProperty("review").GetProperty("decision").GetString());
        b.Screenshot("confirmed");

        // Reload: the decision is the server's, and Undo is offered.
        b.Driver.Navigate().Refresh();
        var undo = b.WaitFor(css + " button.undo");
        Assert.Equal("confirmed", b.Driver.FindElement(By.CssSelector(css)).GetAttribute("data-decision"));
        Tap(b, undo, width);
        b.Wait(d => d.FindElement(By.CssSelector(css)).GetAttribute("data-decision") == "", what: "decision cleared");
        Assert.Empty(b.Driver.FindElements(By.CssSelector(css + " button.undo")));
        var afterUndo = await fx.StudyAsync(fx.TwoImageStudy);
        Assert.All(Findings(afterUndo, model, label), f => Assert.Equal(JsonValueKind.Null, f.GetProperty("review").ValueKind));
        AssertFitsTheScreen(b);

        using var api = await ApiClient.SignInAsync(fx.BaseUrl, fx.Admin);
        var kinds = (await api.GetJsonAsync($"api/audit?study={fx.TwoImageStudy}")).GetProperty("items").EnumerateArray()
            .Select(a => a.GetProperty("kind").GetString()).ToList();
        Assert.Contains("finding.confirmed", kinds);
        Assert.Contains("finding.cleared", kinds);
        Assert.Empty(b.CspViolations());
    }

    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public void A_clinic_sends_history_and_a_question_that_the_radiologist_reads_above_the_findings(int width, int height)
    {
        var history = $"Cough for three weeks ({width}px)";
        var question = $"Is there a nodule? ({width}px)";
        using (var clinic = Browser(nameof(A_clinic_sends_history_and_a_question_that_the_radiologist_reads_above_the_findings) + "-clinic", width, height))
        {
            clinic.SignIn(fx.ClinicBUser);
            clinic.Open("#/study/" + fx.NotesStudy);
            // Not reviewed yet: no model output, no percentages, and the review is announced for later.
            clinic.WaitFor("#model-output-hidden");
            Assert.Empty(clinic.Driver.FindElements(By.CssSelector("li.finding, .finding-p, .badge.stat")));
            clinic.WaitFor("#review-pending");
            var box = clinic.WaitFor("#note-history");
            Assert.Equal("ok", clinic.Js(Reachable, box));
            box.SendKeys(history);
            clinic.Driver.FindElement(By.Id("note-question")).SendKeys(question);
            Tap(clinic, clinic.Driver.FindElement(By.Id("note-submit")), width);
            clinic.Wait(d => d.FindElements(By.CssSelector("#notes .note-question")).Any(e => e.Text == question), what: "note listed");
            AssertFitsTheScreen(clinic);
            clinic.Screenshot("sent");
            Assert.Empty(clinic.CspViolations());
        }

        using var b = Browser(nameof(A_clinic_sends_history_and_a_question_that_the_radiologist_reads_above_the_findings), width, height);
        b.SignIn(fx.Radiologist);
        b.Open("#/study/" + fx.NotesStudy);
        var notes = b.WaitFor("#clinical-notes");
        Assert.Contains(notes.FindElements(By.CssSelector(".note-history")), e => e.Text == history);
        Assert.Contains(notes.FindElements(By.CssSelector(".note-question")), e => e.Text == question);
        Assert.Empty(b.Driver.FindElements(By.Id("note-form")));
        // On top of the findings, and reachable.
        Assert.Equal(true, b.Js("""
            const notes = document.getElementById('clinical-notes').getBoundingClientRect();
            const findings = document.querySelector('#findings-panel .finding-groups, #no-findings').getBoundingClientRect();
            return notes.bottom <= findings.top + 0.5;
            """));
        Assert.Equal("ok", b.Js(Reachable, notes.FindElement(By.CssSelector(".note-question"))));
        AssertFitsTheScreen(b);
        b.Screenshot("radiologist");
    }

    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public async Task After_review_the_clinic_sees_the_decisions_the_comments_and_who_reviewed(int width, int height)
    {
        using (var api = await ApiClient.SignInAsync(fx.BaseUrl, fx.Radiologist))
        {
            var study = await api.GetJsonAsync($"api/studies/{fx.ReviewedStudy}");
            if (study.GetProperty("status").GetString() != "reviewed")
            {
                using var c = await api.PostAsync($"api/studies/{fx.ReviewedStudy}/comments", new { text = "No acute cardiopulmonary finding." });
                Assert.Equal(System.Net.HttpStatusCode.Created, c.StatusCode);
                using var r = await api.PostAsync($"api/studies/{fx.ReviewedStudy}/reviewed");
                Assert.Equal(System.Net.HttpStatusCode.OK, r.StatusCode);
            }
        }
        using var b = Browser(nameof(After_review_the_clinic_sees_the_decisions_the_comments_and_who_reviewed), width, height);
        b.SignIn(fx.ClinicBUser);
        b.Open("#/study/" + fx.ReviewedStudy);
        var comments = b.WaitFor("#comments");
        Assert.Contains("No acute cardiopulmonary finding.", comments.Text, StringComparison.Ordinal);
        Assert.Empty(b.Driver.FindElements(By.Id("model-output-hidden")));
        Assert.Empty(b.Driver.FindElements(By.Id("review-pending")));
        Assert.Contains(fx.Radiologist.Name, b.Text("#study-header"), StringComparison.Ordinal);
        Assert.NotEmpty(b.Driver.FindElements(By.CssSelector("#findings-panel li.finding, #no-findings")));
        Assert.Empty(b.Driver.FindElements(By.CssSelector("button.confirm, button.undo")));
        AssertFitsTheScreen(b);
        b.Screenshot("reviewed");
    }
}
