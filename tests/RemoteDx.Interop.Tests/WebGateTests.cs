using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>One serve for the web gate tests (issue 13), with users made by `remotedx users add` and one study per
/// clinic (as <see cref="ApiFixture"/>, whose serve settings it cannot take). Its login rate limit is raised so the
/// lockout bursts meet the per-name lock, not the per-address limit.</summary>
public sealed class WebGateFixture() : ServeWithStudiesFixture("webgate", Password)
{
    public const string Password = "correct horse 2";
    public const int LockoutFailures = 5;

    protected override IEnumerable<(string Name, string Role, string[] Clinics)> Users =>
    [
        ("rad", "radiologist", []),
        ("clinic_a", "clinic", ["CLINIC_A"]),
        ("victim", "radiologist", []),
    ];

    protected override IDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RemoteDx__Worklist__QuietPeriodSeconds"] = "0",
        ["RemoteDx__Scoring__Workers"] = "0",
        ["RemoteDx__Security__LockoutFailures"] = LockoutFailures.ToString(CultureInfo.InvariantCulture),
        ["RemoteDx__Security__LoginPermitsPerMinute"] = "100000",
    };

    /// <summary>Password verifications that failed for <paramref name="name"/>: the audit trail's `login.failed` rows.</summary>
    public long FailedVerifications(string name) =>
        IndexDatabase.Count(Serve.DatabasePath, "SELECT count(*) FROM audit_events WHERE kind = 'login.failed' AND subject = $n", ("$n", name));
}

/// <summary>The multi-clinic trust boundary at the web server (issue 13), tried as an attacker would.</summary>
public sealed partial class WebGateTests(WebGateFixture fixture) : IClassFixture<WebGateFixture>
{
    private RemoteDxServe Serve => fixture.Serve;

    /// <summary>Every /api operation docs/openapi.json describes, login aside, with real path parameters.</summary>
    private IEnumerable<(HttpMethod Method, string Path)> DocumentedOperations()
    {
        var study = fixture.Studies[0];
        var sop = fixture.SopOfStudy[study];
        using var doc = JsonDocument.Parse(File.ReadAllText(OpenApiPath()));
        var ops = new List<(HttpMethod, string)>();
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            if (!path.Name.StartsWith("/api/", StringComparison.Ordinal) || path.Name == "/api/login")
            {
                continue;
            }
            var concrete = path.Name.Replace("{studyInstanceUid}", study, StringComparison.Ordinal)
                .Replace("{sopInstanceUid}", sop, StringComparison.Ordinal).Replace("{n}", "1", StringComparison.Ordinal)
                .Replace("{id}", "1", StringComparison.Ordinal).Replace("{clinic}", "CLINIC_A", StringComparison.Ordinal)
                .Replace("{username}", "dr_lee", StringComparison.Ordinal).Replace("{name}", "x", StringComparison.Ordinal);
            Assert.DoesNotContain("{", concrete, StringComparison.Ordinal);
            foreach (var op in path.Value.EnumerateObject())
            {
                ops.Add((new HttpMethod(op.Name.ToUpperInvariant()), concrete.TrimStart('/')));
            }
        }
        Assert.True(ops.Count >= 13, $"only {ops.Count} operations in openapi.json");
        return ops;
    }

    private static string OpenApiPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "openapi.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("docs/openapi.json not found above " + AppContext.BaseDirectory);
    }

    private static string CaseVariant(string path, int variant) => variant switch
    {
        0 => path,
        1 => "API" + path[3..],
        2 => "Api" + path[3..],
        _ => path.ToUpperInvariant(),
    };

    [Fact]
    public async Task Every_documented_api_operation_in_any_letter_case_answers_401_without_a_session_never_500()
    {
        using var http = new HttpClient { BaseAddress = Serve.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        foreach (var (method, path) in DocumentedOperations().Append((HttpMethod.Get, "api/no-such-thing")).Append((HttpMethod.Delete, "api/worklist")))
        {
            for (var variant = 0; variant < 4; variant++)
            {
                foreach (var cookie in new string?[] { null, "rdx_session=forged-token" })
                {
                    using var request = new HttpRequestMessage(method, CaseVariant(path, variant));
                    if (method == HttpMethod.Post)
                    {
                        request.Content = JsonContent.Create(new { text = "x", decision = "confirmed" });
                        request.Headers.Add("X-CSRF-Token", "guess");
                    }
                    if (cookie is not null)
                    {
                        request.Headers.Add("Cookie", cookie);
                    }
                    using var r = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                    var what = $"{method} {request.RequestUri} cookie={cookie ?? "none"}";
                    Assert.True(r.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {(int)r.StatusCode}");
                    Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
                    var body = await r.Content.ReadAsStringAsync();
                    Assert.Equal("not logged in", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
                }
            }
        }
    }

    [Fact]
    public async Task Upper_case_API_events_and_openapi_json_do_not_stream_or_answer_without_a_session()
    {
        using var http = new HttpClient { BaseAddress = Serve.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        foreach (var path in new[] { "API/events", "API/openapi.json", "Api/worklist", "API/me", "aPi/studies/" + fixture.Studies[0] })
        {
            using var r = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            Assert.True(r.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {(int)r.StatusCode}");
            Assert.NotEqual("text/event-stream", r.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Roles_are_enforced_whatever_the_letter_case_403_for_a_wrong_role_404_outside_the_clinic()
    {
        using var clinic = await fixture.LoginAsync("clinic_a");
        using var rad = await fixture.LoginAsync("rad");
        var theirs = fixture.Studies[1];
        foreach (var path in new[] { "api/jobs", "API/jobs", "api/audit", "Api/AUDIT" })
        {
            using var r = await clinic.Http.GetAsync(path);
            Assert.True(r.StatusCode == HttpStatusCode.Forbidden, $"clinic GET {path}: {(int)r.StatusCode}");
            Assert.Equal("your role may not do this", JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }
        using (var r = await rad.Http.GetAsync("API/JOBS"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }
        using (var r = await clinic.PostAsync($"API/studies/{fixture.Studies[0]}/comments", new { text = "clinic note" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }
        foreach (var path in new[] { $"api/studies/{theirs}", $"API/studies/{theirs}", $"Api/instances/{fixture.SopOfStudy[theirs]}/frames/1" })
        {
            using var r = await clinic.Http.GetAsync(path);
            Assert.True(r.StatusCode == HttpStatusCode.NotFound, $"clinic GET {path}: {(int)r.StatusCode}");
        }
        // The CSRF check holds on the upper-case path too.
        using (var r = await rad.PostAsync($"API/studies/{fixture.Studies[0]}/comments", new { text = "no token" }, csrf: false))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }
        Assert.Equal("rad", (await rad.GetJsonAsync("API/me")).GetProperty("username").GetString());
    }

    [Fact]
    public async Task A_clinic_users_event_stream_carries_only_changes_to_its_own_clinics_studies()
    {
        using var clinic = await fixture.LoginAsync("clinic_a");
        using var rad = await fixture.LoginAsync("rad");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var clinicEvents = new ConcurrentQueue<long>();
        using var clinicStream = await OpenEventsAsync(clinic);
        using var radStream = await OpenEventsAsync(rad);
        var first = await NextVersionAsync(clinicStream, deadline.Token);
        var radFirst = await NextVersionAsync(radStream, deadline.Token);
        var reading = Task.Run(async () =>
        {
            while (!deadline.IsCancellationRequested)
            {
                clinicEvents.Enqueue(await NextVersionAsync(clinicStream, deadline.Token));
            }
        });

        // Another clinic's study: the radiologist hears of it, the clinic does not.
        await fixture.SendNewStudyAsync("CLINIC_B");
        while (await NextVersionAsync(radStream, deadline.Token) <= radFirst)
        {
        }
        await Task.Delay(TimeSpan.FromSeconds(2)); // the watcher polls every 250 ms; let any wrong event arrive
        Assert.True(clinicEvents.IsEmpty, $"the clinic heard of another clinic's study: versions {string.Join(",", clinicEvents)} after {first}");

        // Its own clinic's study: the clinic hears of it.
        var mine = await fixture.SendNewStudyAsync("CLINIC_A");
        while (clinicEvents.IsEmpty)
        {
            Assert.False(reading.IsCompleted, "the clinic's event stream ended");
            await Task.Delay(50, deadline.Token);
        }
        Assert.True(clinicEvents.TryPeek(out var v) && v > first);
        var items = (await clinic.GetJsonAsync("api/worklist")).GetProperty("items").EnumerateArray();
        Assert.Contains(items, i => i.GetProperty("studyInstanceUid").GetString() == mine);
    }

    private static async Task<StreamReader> OpenEventsAsync(ApiClient c)
    {
        var response = await c.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/events"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new StreamReader(await response.Content.ReadAsStreamAsync());
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

    private async Task<HttpStatusCode[]> BurstAsync(string user, IEnumerable<string> passwords)
    {
        using var http = new HttpClient { BaseAddress = Serve.BaseUrl, Timeout = TimeSpan.FromSeconds(120) };
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = passwords.Select(p => Task.Run(async () =>
        {
            await go.Task;
            using var r = await http.PostAsJsonAsync("api/login", new { username = user, password = p });
            if (r.StatusCode == (HttpStatusCode)429)
            {
                Assert.NotNull(r.Headers.RetryAfter?.Delta);
            }
            return r.StatusCode;
        })).ToList();
        go.SetResult();
        return await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task Fifty_concurrent_wrong_passwords_verify_at_most_LockoutFailures_and_then_the_right_one_is_refused_while_locked()
    {
        var statuses = await BurstAsync("victim", Enumerable.Range(0, 50).Select(i => "wrong " + i));
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Unauthorized or (HttpStatusCode)429, $"{(int)s}"));
        Assert.Equal(WebGateFixture.LockoutFailures - 1, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(WebGateFixture.LockoutFailures, fixture.FailedVerifications("victim"));

        // Locked: the right password, sent amid another burst, is refused like the rest, and nothing more is verified.
        var second = await BurstAsync("victim", Enumerable.Range(0, 20).Select(i => i == 10 ? WebGateFixture.Password : "again " + i));
        Assert.All(second, s => Assert.Equal((HttpStatusCode)429, s));
        Assert.Equal(WebGateFixture.LockoutFailures, fixture.FailedVerifications("victim"));
    }

    [Fact]
    public async Task An_unknown_user_name_is_counted_and_locked_like_a_known_one()
    {
        var statuses = await BurstAsync("nobody_here", Enumerable.Range(0, 50).Select(i => "guess " + i));
        Assert.Equal(WebGateFixture.LockoutFailures - 1, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(50 - (WebGateFixture.LockoutFailures - 1), statuses.Count(s => s == (HttpStatusCode)429));
        Assert.Equal(WebGateFixture.LockoutFailures, fixture.FailedVerifications("nobody_here"));
    }

    [Fact]
    public async Task On_loopback_http_the_session_cookie_is_not_Secure_and_pages_carry_the_strict_CSP()
    {
        using var c = new ApiClient(Serve.BaseUrl);
        using var r = await c.LoginAsync("rad", WebGateFixture.Password);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var cookie = Assert.Single(r.Headers.GetValues("Set-Cookie"), v => v.StartsWith("rdx_session=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        foreach (var path in new[] { "healthz", "api/me", "api/no-such-thing" })
        {
            using var page = await c.Http.GetAsync(path);
            var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
            foreach (var directive in new[] { "default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "object-src 'none'" })
            {
                Assert.Contains(directive, csp, StringComparison.Ordinal);
            }
            Assert.False(page.Headers.Contains("Strict-Transport-Security"), "HSTS over plain http");
        }
    }

    [Fact]
    public async Task SecureCookie_true_marks_the_cookie_Secure_even_on_loopback_http()
    {
        var root = TempDirectory.ForTestRun("webgate-secure");
        try
        {
            var data = Path.Combine(root, "data");
            await RemoteDxUsers.AddAsync(data, "rad", "radiologist", WebGateFixture.Password);
            await using var serve = await RemoteDxServe.StartAsync(data, new Dictionary<string, string>
            {
                ["RemoteDx__Scoring__Workers"] = "0",
                ["RemoteDx__Security__SecureCookie"] = "true",
            });
            using var c = new ApiClient(serve.BaseUrl);
            using var r = await c.LoginAsync("rad", WebGateFixture.Password);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Contains("secure", Assert.Single(r.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            TempDirectory.TryDelete(root);
        }
    }

    [Fact]
    public async Task On_a_non_loopback_url_the_cookie_is_Secure_by_default_and_logins_per_address_are_rate_limited_with_429()
    {
        var root = TempDirectory.ForTestRun("webgate-lan");
        try
        {
            var data = Path.Combine(root, "data");
            await RemoteDxUsers.AddAsync(data, "rad", "radiologist", WebGateFixture.Password);
            var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var serve = ChildProcess.Start(RemoteDxCommand.Path, ["serve", "--data", data, "--dicom-port", "0", "--http-url", "http://0.0.0.0:0"],
                new Dictionary<string, string>
                {
                    ["RemoteDx__Dicom__AeTitle"] = "REMOTEDX",
                    ["RemoteDx__Scoring__Workers"] = "0",
                    ["RemoteDx__Security__LoginPermitsPerMinute"] = "3",
                    ["DOTNET_NOLOGO"] = "1",
                });
            serve.StdoutLine += line =>
            {
                if (AnyAddressLine().Match(line) is { Success: true } m)
                {
                    port.TrySetResult(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
                }
            };
            var ready = await Task.WhenAny(port.Task, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(ready == port.Task, "serve did not report its http port:\n" + serve.Output);
            var baseUri = new Uri($"http://127.0.0.1:{(await port.Task).ToString(CultureInfo.InvariantCulture)}/");
            using var c = new ApiClient(baseUri);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    using var health = await c.Http.GetAsync("healthz");
                    if (health.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }
                Assert.True(DateTime.UtcNow < deadline, "/healthz never answered 200:\n" + serve.Output);
                await Task.Delay(100);
            }

            using (var r = await c.LoginAsync("rad", WebGateFixture.Password))
            {
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                Assert.Contains("secure", Assert.Single(r.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
            }
            for (var i = 0; i < 2; i++)
            {
                using var r = await c.LoginAsync("rad", "wrong " + i);
                Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            }
            // The fourth request this minute from this address: refused before any password check.
            using (var r = await c.LoginAsync("rad", WebGateFixture.Password))
            {
                Assert.Equal((HttpStatusCode)429, r.StatusCode);
                Assert.InRange(r.Headers.RetryAfter?.Delta?.TotalSeconds ?? -1, 1, 60);
                Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
            }
            // The rate limit is for login only.
            using (var r = await c.Http.GetAsync("api/me"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            }
        }
        finally
        {
            TempDirectory.TryDelete(root);
        }
    }

    [GeneratedRegex(@"Now listening on: http://0\.0\.0\.0:(\d+)")]
    private static partial Regex AnyAddressLine();
}
