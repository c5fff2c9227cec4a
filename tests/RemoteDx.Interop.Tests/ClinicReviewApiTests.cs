using System.Net;
using System.Text.Json;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>A serve that scores (with the models in models/; CT_small is no chest film, so its images end "no model
/// applies"), with a radiologist, an admin and one clinic user for each of two clinics.</summary>
public sealed class ClinicReviewFixture() : ServeWithStudiesFixture("clinicreview", Password)
{
    public const string Password = "correct horse 2";

    protected override IEnumerable<(string Name, string Role, string[] Clinics)> Users =>
    [
        ("dr_lee", "radiologist", []),
        ("admin1", "admin", []),
        ("clinic_a", "clinic", ["CLINIC_A"]),
        ("clinic_b", "clinic", ["CLINIC_B"]),
    ];

    protected override IDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RemoteDx__Worklist__QuietPeriodSeconds"] = "0",
        ["RemoteDx__Security__LoginPermitsPerMinute"] = "100000",
    };

    /// <summary>A new study of <paramref name="clinic"/>, once nothing of it is left to score.</summary>
    public async Task<string> ScoredStudyAsync(string clinic)
    {
        var study = await SendNewStudyAsync(clinic);
        using var api = await LoginAsync("dr_lee");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var status = (await api.GetJsonAsync($"api/studies/{study}")).GetProperty("status").GetString();
            if (status != "scoring")
            {
                return study;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"study {study} still scoring after 2 min:\n{Serve.Output}");
            }
            await Task.Delay(200);
        }
    }
}

/// <summary>Clinical notes, per-clinic settings, what a clinic user sees before and after review, and the decision
/// endpoints' answers (docs/api.md "Review", "Clinic users").</summary>
public sealed class ClinicReviewApiTests(ClinicReviewFixture fixture) : IClassFixture<ClinicReviewFixture>
{
    private static readonly string[] ModelOutput = ["priority", "stat", "findings"];

    private static JsonElement Item(JsonElement worklist, string study) =>
        Assert.Single(worklist.GetProperty("items").EnumerateArray(), i => i.GetProperty("studyInstanceUid").GetString() == study);

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    private static JsonElement ClinicEntry(JsonElement list, string clinic) =>
        Assert.Single(list.GetProperty("items").EnumerateArray(), c => c.GetProperty("clinic").GetString() == clinic);

    [Fact]
    public async Task The_admin_clinic_list_names_study_owners_and_clinics_only_a_user_names_and_reflects_a_saved_setting()
    {
        using var admin = await fixture.LoginAsync("admin1");
        using var rad = await fixture.LoginAsync("dr_lee");
        using var clinic = await fixture.LoginAsync("clinic_a");
        const string userOnly = "Lakeside Clinic 7";
        using (var r = await admin.PostAsync("api/admin/users", new { username = "lakeside_desk", role = "clinic", clinics = new[] { userOnly },
            password = "a long passphrase 7" }))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        // Only an admin sees the list.
        foreach (var other in new[] { rad, clinic })
        {
            using var r = await other.Http.GetAsync("api/admin/clinics");
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }

        var list = await admin.GetJsonAsync("api/admin/clinics");
        var names = list.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("clinic").GetString()!).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        foreach (var owner in new[] { "CLINIC_A", "CLINIC_B" })
        {
            Assert.True(ClinicEntry(list, owner).GetProperty("studies").GetInt32() >= 1, owner);
        }
        var named = ClinicEntry(list, userOnly);
        Assert.Equal(0, named.GetProperty("studies").GetInt32());
        Assert.False(named.GetProperty("showModelOutput").GetBoolean());
        Assert.Equal(JsonValueKind.Null, named.GetProperty("updatedBy").ValueKind);
        Assert.Equal(JsonValueKind.Null, named.GetProperty("updatedAt").ValueKind);

        // PUT then GET: the list carries the saved value, who saved it and when; the clinic name goes escaped in the path.
        using (var r = await admin.SendAsync(HttpMethod.Put, $"api/admin/clinics/{Uri.EscapeDataString(userOnly)}/settings", new { showModelOutput = true }))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        named = ClinicEntry(await admin.GetJsonAsync("api/admin/clinics"), userOnly);
        Assert.True(named.GetProperty("showModelOutput").GetBoolean());
        Assert.Equal("admin1", named.GetProperty("updatedBy").GetString());
        Assert.True(named.GetProperty("updatedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.False(ClinicEntry(await admin.GetJsonAsync("api/admin/clinics"), "CLINIC_A").GetProperty("showModelOutput").GetBoolean());
    }

    [Fact]
    public async Task A_clinic_user_adds_history_and_a_question_that_the_radiologist_sees_and_no_other_clinic_does()
    {
        var study = await fixture.ScoredStudyAsync("CLINIC_A");
        using var clinic = await fixture.LoginAsync("clinic_a");
        using (var r = await clinic.PostAsync($"api/studies/{study}/notes", new { history = "cough for 3 weeks, ex-smoker", question = "nodule?" }))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
            var note = await BodyAsync(r);
            Assert.Equal(("clinic_a", "cough for 3 weeks, ex-smoker", "nodule?"),
                (note.GetProperty("by").GetString(), note.GetProperty("history").GetString(), note.GetProperty("question").GetString()));
        }
        using (var r = await clinic.PostAsync($"api/studies/{study}/notes", new { history = "  ", question = (string?)null }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        }
        using (var r = await clinic.PostAsync($"api/studies/{study}/notes", new { question = new string('x', 4001) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        }
        using (var r = await clinic.PostAsync($"api/studies/{study}/notes", new { question = "no token" }, csrf: false))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }

        // The other clinic can neither add to it nor see it (404, as for any study outside its scope).
        using var otherClinic = await fixture.LoginAsync("clinic_b");
        using (var r = await otherClinic.PostAsync($"api/studies/{study}/notes", new { question = "whose study is this?" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
        await otherClinic.GetJsonAsync($"api/studies/{study}", HttpStatusCode.NotFound);
        Assert.DoesNotContain(study, await otherClinic.WorklistOrderAsync(500));

        // Staff read notes, they do not write them.
        using var rad = await fixture.LoginAsync("dr_lee");
        using (var r = await rad.PostAsync($"api/studies/{study}/notes", new { question = "radiologist" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }
        var detail = await rad.GetJsonAsync($"api/studies/{study}");
        Assert.True(detail.GetProperty("hasClinicalNote").GetBoolean());
        var seen = Assert.Single(detail.GetProperty("clinicalNotes").EnumerateArray());
        Assert.Equal(("cough for 3 weeks, ex-smoker", "nodule?"), (seen.GetProperty("history").GetString(), seen.GetProperty("question").GetString()));
        Assert.True(Item(await rad.GetJsonAsync("api/worklist?pageSize=500"), study).GetProperty("hasClinicalNote").GetBoolean());
        Assert.False(Item(await rad.GetJsonAsync("api/worklist?pageSize=500"), fixture.Studies[0]).GetProperty("hasClinicalNote").GetBoolean());

        using var admin = await fixture.LoginAsync("admin1");
        var audit = (await admin.GetJsonAsync($"api/audit?study={study}")).GetProperty("items").EnumerateArray()
            .Where(a => a.GetProperty("kind").GetString() == "study.note").ToList();
        var entry = Assert.Single(audit);
        Assert.Equal("clinic_a", entry.GetProperty("actor").GetString());
        Assert.DoesNotContain("cough", entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Before_review_a_clinic_user_gets_no_model_output_unless_an_admin_enabled_it_and_after_review_sees_the_review()
    {
        var study = await fixture.ScoredStudyAsync("CLINIC_B");
        using var clinic = await fixture.LoginAsync("clinic_b");
        using var rad = await fixture.LoginAsync("dr_lee");
        using var admin = await fixture.LoginAsync("admin1");

        // Staff see everything.
        var staffItem = Item(await rad.GetJsonAsync("api/worklist?pageSize=500"), study);
        Assert.All(ModelOutput, k => Assert.True(staffItem.TryGetProperty(k, out _), k));
        Assert.False(staffItem.GetProperty("modelOutputHidden").GetBoolean());

        // The clinic: no priority, STAT or findings, in the worklist and the study, nor heatmaps, nor FHIR.
        var hidden = Item(await clinic.GetJsonAsync("api/worklist?pageSize=500"), study);
        Assert.All(ModelOutput, k => Assert.False(hidden.TryGetProperty(k, out _), k));
        Assert.True(hidden.GetProperty("modelOutputHidden").GetBoolean());
        var detail = await clinic.GetJsonAsync($"api/studies/{study}");
        Assert.All(ModelOutput, k => Assert.False(detail.TryGetProperty(k, out _), k));
        Assert.False(detail.TryGetProperty("findingGroups", out _));
        var instance = detail.GetProperty("series")[0].GetProperty("instances")[0];
        Assert.False(instance.TryGetProperty("findings", out _));
        Assert.False(instance.TryGetProperty("heatmaps", out _));
        using (var r = await clinic.Http.GetAsync($"api/instances/{fixture.SopOfStudy[study]}/heatmap?model=cxr-triage&label=nodule"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }
        using (var r = await clinic.Http.GetAsync($"api/studies/{study}/fhir"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }
        // Nor the order: a clinic user's list is in arrival order, and the STAT filter is ignored.
        var order = await clinic.WorklistOrderAsync(500);
        var received = await clinic.GetJsonAsync("api/worklist?pageSize=500&sort=received");
        Assert.Equal(received.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("studyInstanceUid").GetString()), order);
        Assert.Contains(study, (await clinic.GetJsonAsync("api/worklist?pageSize=500&stat=true")).GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("studyInstanceUid").GetString()));

        // Only an admin changes the setting.
        using (var r = await rad.SendAsync(HttpMethod.Put, "api/admin/clinics/CLINIC_B/settings", new { showModelOutput = true }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }
        using (var r = await clinic.Http.GetAsync("api/admin/clinics/CLINIC_B/settings"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }
        Assert.False((await admin.GetJsonAsync("api/admin/clinics/CLINIC_B/settings")).GetProperty("showModelOutput").GetBoolean());
        using (var r = await admin.SendAsync(HttpMethod.Put, "api/admin/clinics/CLINIC_B/settings", new { }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        }
        try
        {
            using (var r = await admin.SendAsync(HttpMethod.Put, "api/admin/clinics/CLINIC_B/settings", new { showModelOutput = true }))
            {
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                Assert.Equal("admin1", (await BodyAsync(r)).GetProperty("updatedBy").GetString());
            }
            var shown = Item(await clinic.GetJsonAsync("api/worklist?pageSize=500"), study);
            Assert.All(ModelOutput, k => Assert.True(shown.TryGetProperty(k, out _), k));
            Assert.False(shown.GetProperty("modelOutputHidden").GetBoolean());
            using var fhir = await clinic.Http.GetAsync($"api/studies/{study}/fhir");
            Assert.Equal(HttpStatusCode.OK, fhir.StatusCode);
            // Clinic A's users are not affected.
            using var clinicA = await fixture.LoginAsync("clinic_a");
            Assert.True(Item(await clinicA.GetJsonAsync("api/worklist?pageSize=500"), fixture.Studies[0]).GetProperty("modelOutputHidden").GetBoolean());
        }
        finally
        {
            using var reset = await admin.SendAsync(HttpMethod.Put, "api/admin/clinics/CLINIC_B/settings", new { showModelOutput = false });
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }
        Assert.True(Item(await clinic.GetJsonAsync("api/worklist?pageSize=500"), study).GetProperty("modelOutputHidden").GetBoolean());
        var settingAudit = (await admin.GetJsonAsync("api/audit?study=CLINIC_B")).GetProperty("items").EnumerateArray()
            .Where(a => a.GetProperty("kind").GetString() == "clinic.settings").Select(a => a.GetProperty("detail").GetString()).ToList();
        Assert.Equal(["showModelOutput=false", "showModelOutput=true"], settingAudit.Take(2));

        // Comments are the radiologist's until the review is done; then the clinic sees them, the reviewer and the output.
        using (var r = await rad.PostAsync($"api/studies/{study}/comments", new { text = "no acute finding" }))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }
        Assert.Empty((await clinic.GetJsonAsync($"api/studies/{study}")).GetProperty("comments").EnumerateArray());
        using (var r = await rad.PostAsync($"api/studies/{study}/reviewed"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        var reviewed = await clinic.GetJsonAsync($"api/studies/{study}");
        Assert.Equal(("reviewed", "dr_lee"), (reviewed.GetProperty("status").GetString(), reviewed.GetProperty("reviewedBy").GetString()));
        Assert.Equal("no acute finding", Assert.Single(reviewed.GetProperty("comments").EnumerateArray()).GetProperty("text").GetString());
        Assert.False(reviewed.GetProperty("modelOutputHidden").GetBoolean());
        Assert.All(ModelOutput, k => Assert.True(reviewed.TryGetProperty(k, out _), k));
        Assert.True(reviewed.TryGetProperty("findingGroups", out _));
    }

    [Fact]
    public async Task Decisions_answer_404_for_no_finding_400_for_an_unknown_decision_and_403_to_clinic_users()
    {
        using var rad = await fixture.LoginAsync("dr_lee");
        foreach (var decision in new[] { "confirmed", "dismissed", "none" })
        {
            using var r = await rad.PostAsync("api/findings/987654/review", new { decision });
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
        using (var r = await rad.SendAsync(HttpMethod.Delete, "api/findings/987654/review"))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
        using (var r = await rad.PostAsync("api/findings/1/review", new { decision = "undecided" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        }
        using var clinic = await fixture.LoginAsync("clinic_a");
        using (var r = await clinic.PostAsync("api/findings/1/review", new { decision = "none" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }
        using (var r = await clinic.SendAsync(HttpMethod.Delete, "api/findings/1/review"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }
    }
}
