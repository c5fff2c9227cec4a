using System.Net;
using System.Text.Json;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>serve with an admin, a second admin, a radiologist and a clinic user, two clinics' studies (scoring off),
/// and one unreadable file left in the archive, which the start-up reconciliation moves to quarantine.</summary>
public sealed class AdminApiFixture : ServeWithStudiesFixture
{
    public const string Password = "correct horse 2";

    public AdminApiFixture()
        : base("admin-api", Password)
    {
        // As if an earlier run crashed after the rename: a file in the archive the index does not know, and cannot read.
        var dir = Path.Combine(Root, "data", "archive", "1.2.826.0.1.3680043.2.1143.1", "1.2.826.0.1.3680043.2.1143.1.1");
        Directory.CreateDirectory(dir);
        BrokenFile = Path.Combine(dir, "1.2.826.0.1.3680043.2.1143.1.1.1.dcm");
        File.WriteAllText(BrokenFile, "not DICOM at all");
        File.SetLastWriteTimeUtc(BrokenFile, DateTime.UtcNow.AddHours(-2));
    }

    public string BrokenFile { get; }

    protected override IEnumerable<(string Name, string Role, string[] Clinics)> Users =>
    [
        ("admin1", "admin", []),
        ("admin2", "admin", []),
        ("dr_lee", "radiologist", []),
        ("clinic_a", "clinic", ["CLINIC_A"]),
    ];

    protected override IDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RemoteDx__Worklist__QuietPeriodSeconds"] = "0",
        ["RemoteDx__Scoring__Workers"] = "0",
        ["RemoteDx__Security__LoginPermitsPerMinute"] = "100000",
    };
}

/// <summary>/api/admin (docs/api.md "Admin"): accounts, audit filters, jobs, deliveries and quarantine, through the real
/// executable; admin only (403 for the other roles), CSRF-protected, audited with the admin as actor.</summary>
public sealed class AdminApiTests(AdminApiFixture fx) : IClassFixture<AdminApiFixture>
{
    private static async Task<JsonElement> Body(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    private static string NewName(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..8];

    [Theory]
    [InlineData("dr_lee")]
    [InlineData("clinic_a")]
    public async Task Every_admin_endpoint_answers_403_to_a_radiologist_and_a_clinic_user(string user)
    {
        using var c = await fx.LoginAsync(user);
        foreach (var path in new[] { "api/admin/users", "api/admin/audit", "api/admin/jobs", "api/admin/deliveries", "api/admin/quarantine", "api/jobs" })
        {
            var (status, body) = await c.GetAsync(path);
            Assert.True(status == HttpStatusCode.Forbidden, $"GET {path} as {user}: {(int)status}");
            Assert.Equal("your role may not do this", body.GetProperty("error").GetString());
        }
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Post, "api/admin/users"), (HttpMethod.Patch, "api/admin/users/dr_lee"), (HttpMethod.Post, "api/admin/users/admin1/password"),
            (HttpMethod.Post, "api/admin/jobs/1/retry"), (HttpMethod.Post, "api/admin/deliveries/1/retry"), (HttpMethod.Delete, "api/admin/quarantine/x"),
        })
        {
            using var r = await c.SendAsync(method, path, new { role = "admin", disabled = false, password = "", username = "x", clinics = Array.Empty<string>() });
            Assert.True(r.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} as {user}: {(int)r.StatusCode}");
        }
        // Nothing changed: dr_lee is still a radiologist, admin1 can still sign in with its password.
        using var admin = await fx.LoginAsync("admin1");
        var users = (await admin.GetJsonAsync("api/admin/users")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("radiologist", users.Single(u => u.GetProperty("username").GetString() == "dr_lee").GetProperty("role").GetString());
        Assert.DoesNotContain(users, u => u.GetProperty("username").GetString() == "x");
    }

    [Fact]
    public async Task Changes_without_the_CSRF_token_are_refused_with_403_and_change_nothing()
    {
        using var admin = await fx.LoginAsync("admin1");
        var name = NewName("nocsrf");
        using var add = await admin.SendAsync(HttpMethod.Post, "api/admin/users", new { username = name, role = "radiologist" }, csrf: false);
        Assert.Equal(HttpStatusCode.Forbidden, add.StatusCode);
        Assert.Contains("X-CSRF-Token", (await Body(add)).GetProperty("error").GetString(), StringComparison.Ordinal);
        using var patch = await admin.SendAsync(HttpMethod.Patch, "api/admin/users/dr_lee", new { disabled = true }, csrf: false);
        Assert.Equal(HttpStatusCode.Forbidden, patch.StatusCode);
        var users = (await admin.GetJsonAsync("api/admin/users")).GetProperty("items").EnumerateArray().ToList();
        Assert.DoesNotContain(users, u => u.GetProperty("username").GetString() == name);
        Assert.False(users.Single(u => u.GetProperty("username").GetString() == "dr_lee").GetProperty("disabled").GetBoolean());
    }

    [Fact]
    public async Task An_admin_adds_a_clinic_user_of_a_clinic_with_a_long_name_with_spaces_and_a_generated_password_shown_once()
    {
        using var admin = await fx.LoginAsync("admin1");
        var name = NewName("nv_desk");
        const string Clinic = "North Valley Imaging Centre East";
        using var add = await admin.PostAsync("api/admin/users", new { username = name, role = "clinic", clinics = new[] { Clinic } });
        Assert.Equal(HttpStatusCode.Created, add.StatusCode);
        var body = await Body(add);
        var password = body.GetProperty("password").GetString()!;
        Assert.True(password.Length >= 16, password);
        Assert.Equal([Clinic], body.GetProperty("user").GetProperty("clinics").EnumerateArray().Select(c => c.GetString()));

        // The listing never carries a password or its hash.
        var listing = await admin.GetJsonAsync("api/admin/users");
        Assert.DoesNotContain(password, listing.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("hash", listing.GetRawText(), StringComparison.OrdinalIgnoreCase);

        // The new user signs in with it and sees no study of CLINIC_A or CLINIC_B (another clinic's data).
        using var desk = new ApiClient(fx.Serve.BaseUrl);
        using (var login = await desk.LoginAsync(name, password))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
        Assert.Empty(await desk.WorklistOrderAsync(200));
        var (status, _) = await desk.GetAsync($"api/studies/{fx.Studies[0]}");
        Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"{(int)status}");

        // Given CLINIC_A instead (its sessions end when the role changes, not for clinics), it sees that clinic's study only.
        using var patch = await admin.SendAsync(HttpMethod.Patch, $"api/admin/users/{name}", new { clinics = new[] { "CLINIC_A" } });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var visible = await desk.WorklistOrderAsync(200);
        Assert.Contains(fx.Studies[0], visible);
        Assert.DoesNotContain(fx.Studies[1], visible);

        var audit = (await admin.GetJsonAsync($"api/admin/audit?subject={name}")).GetProperty("items").EnumerateArray().ToList();
        var changes = audit.Where(a => a.GetProperty("kind").GetString()!.StartsWith("user.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["user.clinics", "user.added"], changes.Select(a => a.GetProperty("kind").GetString()));
        Assert.All(changes, a => Assert.Equal("admin1", a.GetProperty("actor").GetString()));
        Assert.Contains(audit, a => a.GetProperty("kind").GetString() == "login" && a.GetProperty("actor").GetString() == name);
    }

    [Theory]
    [InlineData("{\"username\":\"has space\",\"role\":\"radiologist\"}", "username")]
    [InlineData("{\"username\":\"ok_name\",\"role\":\"nurse\"}", "role must be")]
    [InlineData("{\"username\":\"ok_name\",\"role\":\"clinic\"}", "at least one clinic")]
    [InlineData("{\"username\":\"ok_name\",\"role\":\"radiologist\",\"clinics\":[\"CLINIC_A\"]}", "only a clinic user")]
    [InlineData("{\"username\":\"ok_name\",\"role\":\"clinic\",\"clinics\":[\"A\\\\B\"]}", "backslash")]
    [InlineData("{\"username\":\"ok_name\",\"role\":\"clinic\",\"clinics\":[\"This clinic name is far too long to be accepted by RemoteDx at all, really\"]}", "1-64")]
    [InlineData("{\"username\":\"ok_name\",\"role\":\"radiologist\",\"password\":\"short\"}", "password")]
    public async Task A_bad_new_user_is_refused_with_400_saying_why(string json, string expected)
    {
        using var admin = await fx.LoginAsync("admin1");
        using var r = await admin.PostAsync("api/admin/users", JsonDocument.Parse(json).RootElement);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains(expected, (await Body(r)).GetProperty("error").GetString(), StringComparison.Ordinal);
        var (_, users) = await admin.GetAsync("api/admin/users");
        Assert.DoesNotContain(users.GetProperty("items").EnumerateArray(), u => u.GetProperty("username").GetString() == "ok_name");
    }

    [Fact]
    public async Task A_disabled_user_is_signed_out_cannot_sign_in_and_signs_in_again_once_enabled()
    {
        using var admin = await fx.LoginAsync("admin1");
        var name = NewName("temp");
        using (var add = await admin.PostAsync("api/admin/users", new { username = name, role = "radiologist", password = AdminApiFixture.Password }))
        {
            Assert.Equal(HttpStatusCode.Created, add.StatusCode);
            Assert.Equal(JsonValueKind.Null, (await Body(add)).GetProperty("password").ValueKind);
        }
        using var user = await fx.LoginAsync(name);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("api/worklist")).Status);

        using (var off = await admin.SendAsync(HttpMethod.Patch, $"api/admin/users/{name}", new { disabled = true }))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
            Assert.True((await Body(off)).GetProperty("disabled").GetBoolean());
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.GetAsync("api/worklist")).Status);
        using (var denied = await user.LoginAsync(name, AdminApiFixture.Password))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Equal("this account is disabled", (await Body(denied)).GetProperty("error").GetString());
        }
        using (var on = await admin.SendAsync(HttpMethod.Patch, $"api/admin/users/{name}", new { disabled = false }))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }
        using var back = await user.LoginAsync(name, AdminApiFixture.Password);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);

        var kinds = (await admin.GetJsonAsync($"api/admin/audit?subject={name}&kind=user")).GetProperty("items").EnumerateArray()
            .Select(a => (a.GetProperty("kind").GetString(), a.GetProperty("actor").GetString())).ToList();
        Assert.Equal([("user.enabled", "admin1"), ("user.disabled", "admin1"), ("user.added", "admin1")], kinds);
    }

    [Fact]
    public async Task A_password_reset_by_an_admin_ends_the_users_sessions_and_a_generated_one_works_once_shown()
    {
        using var admin = await fx.LoginAsync("admin1");
        var name = NewName("reset");
        using (await admin.PostAsync("api/admin/users", new { username = name, role = "radiologist", password = AdminApiFixture.Password }))
        {
        }
        using var user = await fx.LoginAsync(name);
        using var reset = await admin.PostAsync($"api/admin/users/{name}/password", new { });
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var generated = (await Body(reset)).GetProperty("password").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.GetAsync("api/me")).Status);
        using (var old = await user.LoginAsync(name, AdminApiFixture.Password))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        }
        using (var fresh = await user.LoginAsync(name, generated))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }
        // A chosen password is not echoed; a short one is refused; an unknown user is 404.
        using var chosen = await admin.PostAsync($"api/admin/users/{name}/password", new { password = "another long passphrase" });
        Assert.Equal(JsonValueKind.Null, (await Body(chosen)).GetProperty("password").ValueKind);
        using var shortOne = await admin.PostAsync($"api/admin/users/{name}/password", new { password = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, shortOne.StatusCode);
        using var nobody = await admin.PostAsync("api/admin/users/nobody_here/password", new { });
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
        // The password never reaches serve's log.
        Assert.DoesNotContain(generated, fx.Serve.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("another long passphrase", fx.Serve.Output, StringComparison.Ordinal);
        var audit = (await admin.GetJsonAsync($"api/admin/audit?subject={name}&kind=user.password")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, audit.Count);
        Assert.All(audit, a => Assert.Equal("admin1", a.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task The_last_enabled_admin_cannot_be_disabled_or_demoted_409()
    {
        using var admin = await fx.LoginAsync("admin1");
        var temp = NewName("solo");
        // admin2 steps back so admin1 is the only admin; restored at the end (tests in this class share the server).
        using (var r = await admin.SendAsync(HttpMethod.Patch, "api/admin/users/admin2", new { disabled = true }))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        try
        {
            using var self = await admin.SendAsync(HttpMethod.Patch, "api/admin/users/admin1", new { disabled = true });
            Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
            Assert.Contains("no enabled admin", (await Body(self)).GetProperty("error").GetString(), StringComparison.Ordinal);
            using var demote = await admin.SendAsync(HttpMethod.Patch, "api/admin/users/admin1", new { role = "radiologist" });
            Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("api/admin/users")).Status);
            using var missing = await admin.SendAsync(HttpMethod.Patch, $"api/admin/users/{temp}", new { disabled = true });
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            using var empty = await admin.SendAsync(HttpMethod.Patch, "api/admin/users/dr_lee", new { });
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        }
        finally
        {
            using var r = await admin.SendAsync(HttpMethod.Patch, "api/admin/users/admin2", new { disabled = false });
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
    }

    [Fact]
    public async Task The_audit_trail_filters_by_kind_actor_subject_and_time_and_refuses_bad_filters()
    {
        using var admin = await fx.LoginAsync("admin1");
        using (await fx.LoginAsync("dr_lee"))
        {
        }
        var logins = await admin.GetJsonAsync("api/admin/audit?kind=login&actor=dr_lee&pageSize=5");
        var items = logins.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, a => Assert.Equal("dr_lee", a.GetProperty("actor").GetString()));
        Assert.All(items, a => Assert.StartsWith("login", a.GetProperty("kind").GetString(), StringComparison.Ordinal));
        Assert.True(logins.GetProperty("total").GetInt64() >= items.Count);
        var times = items.Select(a => DateTimeOffset.Parse(a.GetProperty("at").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);

        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, (await admin.GetJsonAsync($"api/admin/audit?from={future}")).GetProperty("total").GetInt64());
        foreach (var bad in new[] { "kind=DROP%20TABLE", "from=yesterday", "pageSize=0", "from=2026-12-06T10:00:00Z&to=2026-12-06T09:00:00Z" })
        {
            var (status, _) = await admin.GetAsync("api/admin/audit?" + bad);
            Assert.True(status == HttpStatusCode.BadRequest, bad);
        }
        // The reviewers' /api/audit takes the same filters.
        using var rad = await fx.LoginAsync("dr_lee");
        var same = await rad.GetJsonAsync("api/audit?kind=login&actor=dr_lee&pageSize=5");
        Assert.All(same.GetProperty("items").EnumerateArray(), a => Assert.Equal("dr_lee", a.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task The_jobs_list_shows_the_queue_with_counts_and_only_a_failed_job_can_be_retried()
    {
        using var admin = await fx.LoginAsync("admin1");
        var jobs = await admin.GetJsonAsync("api/admin/jobs");
        var pending = jobs.GetProperty("items").EnumerateArray().Where(j => j.GetProperty("state").GetString() == "pending").ToList();
        Assert.True(pending.Count >= 2, jobs.GetRawText()); // scoring is off: the fixture's studies wait
        Assert.True(jobs.GetProperty("counts").GetProperty("pending").GetInt64() >= 2);
        using var notFailed = await admin.PostAsync($"api/admin/jobs/{pending[0].GetProperty("id").GetInt64()}/retry");
        Assert.Equal(HttpStatusCode.Conflict, notFailed.StatusCode);
        using var unknown = await admin.PostAsync("api/admin/jobs/999999/retry");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var (status, _) = await admin.GetAsync("api/admin/jobs?state=bogus");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Empty((await admin.GetJsonAsync("api/admin/deliveries")).GetProperty("items").EnumerateArray());
        using var noDelivery = await admin.PostAsync("api/admin/deliveries/999999/retry");
        Assert.Equal(HttpStatusCode.NotFound, noDelivery.StatusCode);
    }

    [Fact]
    public async Task The_file_the_reconciler_quarantined_is_listed_with_its_reason_and_can_be_deleted_audited()
    {
        using var admin = await fx.LoginAsync("admin1");
        JsonElement item = default;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var list = (await admin.GetJsonAsync("api/admin/quarantine")).GetProperty("items").EnumerateArray().ToList();
            if (list.Count > 0)
            {
                item = Assert.Single(list);
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "nothing quarantined in 60 s:\n" + fx.Serve.Output);
            await Task.Delay(200);
        }
        var name = item.GetProperty("name").GetString()!;
        Assert.StartsWith("1.2.826.0.1.3680043.2.1143.1.1.1-", name, StringComparison.Ordinal);
        Assert.StartsWith("unreadable", item.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(Path.GetRelativePath(Path.Combine(fx.Root, "data"), fx.BrokenFile), item.GetProperty("originalPath").GetString());
        Assert.Equal(16, item.GetProperty("size").GetInt64());

        using var traversal = await admin.SendAsync(HttpMethod.Delete, "api/admin/quarantine/..%2F..%2Fremotedx.db");
        Assert.Equal(HttpStatusCode.NotFound, traversal.StatusCode);
        Assert.True(File.Exists(Path.Combine(fx.Root, "data", "remotedx.db")));
        using var delete = await admin.SendAsync(HttpMethod.Delete, $"api/admin/quarantine/{name}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Empty((await admin.GetJsonAsync("api/admin/quarantine")).GetProperty("items").EnumerateArray());
        Assert.False(File.Exists(Path.Combine(fx.Root, "data", "quarantine", name + ".dcm")));
        var audit = Assert.Single((await admin.GetJsonAsync($"api/admin/audit?kind=quarantine.deleted")).GetProperty("items").EnumerateArray());
        Assert.Equal(("admin1", name), (audit.GetProperty("actor").GetString(), audit.GetProperty("subject").GetString()));
    }
}
