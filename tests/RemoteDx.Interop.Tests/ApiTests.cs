using System.Globalization;
using System.Net;
using System.Text.Json;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>One `remotedx serve` with accounts made by `remotedx users add` and two clinics' studies, shared by the
/// API tests. Its scoring workers are off (RemoteDx:Scoring:Workers = 0, whether or not a model is installed), so
/// studies stay as sent: "scoring", priority 0. Scoring is tested by the store suite and HostedServicesTests.</summary>
public sealed class ApiFixture() : ServeWithStudiesFixture("api", Password)
{
    public const string Password = "correct horse 1";

    protected override IEnumerable<(string Name, string Role, string[] Clinics)> Users =>
    [
        ("dr_lee", "radiologist", []),
        ("admin1", "admin", []),
        ("clinic_a", "clinic", ["CLINIC_A"]),
        ("locked_out", "radiologist", []),
    ];

    protected override IDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RemoteDx__Worklist__QuietPeriodSeconds"] = "0",
        ["RemoteDx__Scoring__Workers"] = "0",
        // Many logins from one address within a minute; the limit itself is tested by WebGateTests.
        ["RemoteDx__Security__LoginPermitsPerMinute"] = "100000",
    };
}

/// <summary>The HTTP API (docs/api.md) through the real executable: sessions, CSRF, roles, clinic scope, the worklist,
/// frames, reviews, SSE, metrics.</summary>
public sealed class ApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private RemoteDxServe Serve => fixture.Serve;

    [Fact]
    public async Task A_wrong_password_answers_401_and_the_right_one_sets_an_HttpOnly_SameSite_Strict_session_cookie()
    {
        using var c = new ApiClient(Serve.BaseUrl);
        using (var wrong = await c.LoginAsync("dr_lee", "not the password"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal("invalid username or password", JsonDocument.Parse(await wrong.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }
        using (var unknown = await c.LoginAsync("nobody", "whatever"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }
        using var right = await c.LoginAsync("dr_lee", ApiFixture.Password);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        var cookie = Assert.Single(right.Headers.GetValues("Set-Cookie"), v => v.StartsWith("rdx_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var me = await c.GetJsonAsync("api/me");
        Assert.Equal(("dr_lee", "radiologist"), (me.GetProperty("username").GetString(), me.GetProperty("role").GetString()));
        Assert.Equal(c.CsrfToken, me.GetProperty("csrfToken").GetString());

        using var logout = await c.PostAsync("api/logout");
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using var after = await c.Http.GetAsync("api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Five_consecutive_failures_lock_the_account_with_429_and_Retry_After_even_for_the_right_password()
    {
        using var c = new ApiClient(Serve.BaseUrl);
        for (var i = 0; i < 4; i++)
        {
            using var r = await c.LoginAsync("locked_out", "wrong " + i);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
        using var fifth = await c.LoginAsync("locked_out", "wrong 5");
        Assert.Equal((HttpStatusCode)429, fifth.StatusCode);
        using var right = await c.LoginAsync("locked_out", ApiFixture.Password);
        Assert.Equal((HttpStatusCode)429, right.StatusCode);
        var retry = right.Headers.RetryAfter?.Delta;
        Assert.NotNull(retry);
        Assert.InRange(retry.Value.TotalMinutes, 0.01, 15.01); // about 15 minutes, less however long this test took
    }

    [Fact]
    public async Task Without_a_session_every_api_endpoint_answers_401_and_reveals_nothing()
    {
        using var c = new ApiClient(Serve.BaseUrl);
        var study = fixture.Studies[0];
        var sop = fixture.SopOfStudy[study];
        foreach (var path in new[] { "api/me", "api/worklist", "api/events", $"api/studies/{study}", $"api/instances/{sop}/frames/1",
            $"api/instances/{sop}/thumbnail", "api/audit", "api/jobs", "api/openapi.json", "api/no-such-thing" })
        {
            using var r = await c.Http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            Assert.True(r.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {(int)r.StatusCode}");
            var body = await r.Content.ReadAsStringAsync();
            Assert.DoesNotContain(study, body, StringComparison.Ordinal);
        }
        using var post = await c.PostAsync($"api/studies/{study}/reviewed");
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
    }

    [Fact]
    public async Task A_state_changing_request_without_the_CSRF_token_is_refused_with_403()
    {
        using var c = await fixture.LoginAsync("dr_lee");
        var study = fixture.Studies[0];
        using var none = await c.PostAsync($"api/studies/{study}/comments", new { text = "no token" }, csrf: false);
        Assert.Equal(HttpStatusCode.Forbidden, none.StatusCode);
        var token = c.CsrfToken;
        c.CsrfToken = "wrong";
        using var wrong = await c.PostAsync($"api/studies/{study}/comments", new { text = "wrong token" });
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        c.CsrfToken = token;
        var detail = await c.GetJsonAsync($"api/studies/{study}");
        Assert.DoesNotContain(detail.GetProperty("comments").EnumerateArray(), x => x.GetProperty("text").GetString()!.Contains("token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_clinic_user_sees_only_its_clinic_and_gets_404_for_another_clinics_study_and_frames()
    {
        using var c = await fixture.LoginAsync("clinic_a");
        var items = (await c.GetJsonAsync("api/worklist")).GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, i => Assert.Equal("CLINIC_A", i.GetProperty("clinic").GetString()));
        var mine = fixture.Studies[0];
        var theirs = fixture.Studies[1];
        await c.GetJsonAsync($"api/studies/{mine}");
        await c.GetJsonAsync($"api/studies/{theirs}", HttpStatusCode.NotFound);
        foreach (var path in new[] { $"api/instances/{fixture.SopOfStudy[theirs]}/frames/1", $"api/instances/{fixture.SopOfStudy[theirs]}/thumbnail",
            $"api/instances/{fixture.SopOfStudy[theirs]}/heatmap?model=m&label=l" })
        {
            using var r = await c.Http.GetAsync(path);
            Assert.True(r.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)r.StatusCode}");
        }
        using var own = await c.Http.GetAsync($"api/instances/{fixture.SopOfStudy[mine]}/frames/1");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        // Read-only: a clinic may not review.
        using var review = await c.PostAsync($"api/studies/{mine}/comments", new { text = "clinic note" });
        Assert.Equal(HttpStatusCode.Forbidden, review.StatusCode);
        using var audit = await c.Http.GetAsync("api/audit");
        Assert.Equal(HttpStatusCode.Forbidden, audit.StatusCode);
    }

    [Fact]
    public async Task The_worklist_lists_every_study_in_rank_order_with_ties_by_arrival()
    {
        using var c = await fixture.LoginAsync("dr_lee");
        var body = await c.GetJsonAsync("api/worklist?pageSize=500");
        var uids = body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("studyInstanceUid").GetString()!).ToList();
        // Nothing is scored (workers off): all priority 0, so rank order is arrival order.
        var expected = fixture.Studies.ToList();
        Assert.Equal(expected, uids.Where(expected.Contains));
        var first = body.GetProperty("items")[0];
        Assert.Equal("scoring", first.GetProperty("status").GetString());
        Assert.Equal(0, first.GetProperty("priority").GetDouble());
        Assert.True(body.GetProperty("version").GetInt64() > 0);
        Assert.Equal("CT", first.GetProperty("modality").GetString());

        var received = await c.GetJsonAsync("api/worklist?sort=received&pageSize=500");
        Assert.Equal(expected.AsEnumerable().Reverse(), received.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("studyInstanceUid").GetString()!).Where(expected.Contains));
        var clinicB = await c.GetJsonAsync("api/worklist?clinic=CLINIC_B");
        Assert.All(clinicB.GetProperty("items").EnumerateArray(), i => Assert.Equal("CLINIC_B", i.GetProperty("clinic").GetString()));
        using var bad = await c.Http.GetAsync("api/worklist?status=bogus");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task A_frame_has_a_strong_ETag_and_If_None_Match_answers_304()
    {
        using var c = await fixture.LoginAsync("dr_lee");
        var sop = fixture.SopOfStudy[fixture.Studies[0]];
        using var first = await c.Http.GetAsync($"api/instances/{sop}/frames/1?format=png&wc=40&ww=400&size=64");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("image/png", first.Content.Headers.ContentType?.MediaType);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Contains("max-age=86400", first.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var png = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal(0x89, png[0]);

        var again = new HttpRequestMessage(HttpMethod.Get, $"api/instances/{sop}/frames/1?format=png&wc=40&ww=400&size=64");
        again.Headers.IfNoneMatch.Add(etag);
        using var cached = await c.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        Assert.Empty(await cached.Content.ReadAsByteArrayAsync());

        using var other = await c.Http.GetAsync($"api/instances/{sop}/frames/1?format=jpeg&size=64");
        Assert.Equal("image/jpeg", other.Content.Headers.ContentType?.MediaType);
        Assert.NotEqual(etag, other.Headers.ETag);
        using var thumb = await c.Http.GetAsync($"api/instances/{sop}/thumbnail");
        Assert.Equal("image/jpeg", thumb.Content.Headers.ContentType?.MediaType);
        using var noFrame = await c.Http.GetAsync($"api/instances/{sop}/frames/2");
        Assert.Equal(HttpStatusCode.NotFound, noFrame.StatusCode);
    }

    [Fact]
    public async Task A_comment_and_the_reviewed_mark_are_persisted_and_audited()
    {
        var study = await fixture.SendNewStudyAsync("CLINIC_A");
        using var c = await fixture.LoginAsync("dr_lee");
        using (var r = await c.PostAsync($"api/studies/{study}/comments", new { text = "pneumothorax? call clinic" }))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }
        using (var r = await c.PostAsync($"api/studies/{study}/reviewed"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.True(JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.TryGetProperty("next", out _));
        }
        using (var r = await c.PostAsync($"api/studies/{Samples.NewUid()}/reviewed"))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
        using (var r = await c.PostAsync("api/findings/999999/review", new { decision = "confirmed" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
        using (var r = await c.PostAsync("api/findings/1/review", new { decision = "maybe" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        }

        using var other = await fixture.LoginAsync("admin1");
        var detail = await other.GetJsonAsync($"api/studies/{study}");
        Assert.Equal("dr_lee", detail.GetProperty("reviewedBy").GetString());
        var comment = Assert.Single(detail.GetProperty("comments").EnumerateArray());
        Assert.Equal(("dr_lee", "pneumothorax? call clinic"), (comment.GetProperty("by").GetString(), comment.GetProperty("text").GetString()));
        var audit = await other.GetJsonAsync($"api/audit?study={study}");
        var kinds = audit.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("kind").GetString()).ToList();
        Assert.Contains("study.commented", kinds);
        Assert.Contains("study.reviewed", kinds);
        Assert.Contains("study.opened", kinds);
        var jobs = await other.GetJsonAsync("api/jobs?state=pending");
        Assert.Contains(jobs.GetProperty("items").EnumerateArray(), j => j.GetProperty("studyInstanceUid").GetString() == study);
        using var notAdmin = await c.Http.GetAsync("api/jobs");
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
    }

    [Fact]
    public async Task A_worklist_event_arrives_over_SSE_when_a_study_arrives()
    {
        using var c = await fixture.LoginAsync("dr_lee");
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/events");
        using var response = await c.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var first = await NextVersionAsync(reader, deadline.Token);
        await fixture.SendNewStudyAsync("CLINIC_B");
        long next;
        do
        {
            next = await NextVersionAsync(reader, deadline.Token);
        }
        while (next <= first);
        Assert.True(next > first);
    }

    private static async Task<long> NextVersionAsync(StreamReader reader, CancellationToken ct)
    {
        string? evt = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(ct) ?? throw new EndOfStreamException("the event stream ended");
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                evt = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && evt == "worklist")
            {
                return JsonDocument.Parse(line[6..]).RootElement.GetProperty("version").GetInt64();
            }
        }
    }

    [Fact]
    public async Task Responses_carry_the_security_headers_and_metrics_count_C_STORE_without_patient_data()
    {
        using var http = new HttpClient { BaseAddress = Serve.BaseUrl };
        using var health = await http.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; " +
            "base-uri 'none'; form-action 'self'; object-src 'none'",
            string.Join(";", health.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(health.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(health.Headers.GetValues("Referrer-Policy")));
        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains("remotedx_cstore_responses_total{status=\"0000\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE remotedx_jobs gauge", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("CompressedSamples", metrics, StringComparison.Ordinal);

        using var c = await fixture.LoginAsync("admin1");
        var openapi = await c.GetJsonAsync("api/openapi.json");
        Assert.StartsWith("3.0", openapi.GetProperty("openapi").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_add_refuses_a_duplicate_and_a_clinic_user_without_a_clinic()
    {
        var data = Path.Combine(fixture.Root, "users-cli");
        await RemoteDxUsers.AddAsync(data, "someone", "radiologist", ApiFixture.Password);
        var (dup, dupOut) = await RemoteDxUsers.RunAsync(["add", "someone", "--role", "admin", "--password-stdin", "--data", data], ApiFixture.Password);
        Assert.Equal(1, dup);
        Assert.Contains("exists", dupOut, StringComparison.Ordinal);
        var (noClinic, _) = await RemoteDxUsers.RunAsync(["add", "c1", "--role", "clinic", "--password-stdin", "--data", data], ApiFixture.Password);
        Assert.Equal(2, noClinic);
        var (shortPw, _) = await RemoteDxUsers.RunAsync(["add", "c2", "--role", "admin", "--password-stdin", "--data", data], "short");
        Assert.Equal(1, shortPw);
        var (list, listOut) = await RemoteDxUsers.RunAsync(["list", "--data", data], "");
        Assert.Equal(0, list);
        Assert.Contains("someone\tradiologist", listOut, StringComparison.Ordinal);
    }
}
