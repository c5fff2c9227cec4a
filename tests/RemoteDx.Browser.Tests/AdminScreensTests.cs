using System.Globalization;
using System.Net;
using OpenQA.Selenium;
using RemoteDx.Browser.Tests.Support;

namespace RemoteDx.Browser.Tests;

/// <summary>The admin screens (issue 18 item 7) on a desktop (1400×900) and a phone (390×844): users (add with a
/// generated password shown once, disable, role and clinics), the audit trail with filters, failed jobs and deliveries
/// with retry, the quarantine list; and "not allowed" for the other roles, whom the API refuses.</summary>
public sealed class AdminScreensTests(AdminFixture fx) : IClassFixture<AdminFixture>
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

    private static void AssertFitsTheScreen(ChromiumSession b, string where)
    {
        var w = ((IReadOnlyCollection<object>)b.Js("return [document.documentElement.scrollWidth, innerWidth];")!)
            .Select(o => Convert.ToDouble(o, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(w[0] <= w[1], $"{where}: page is {w[0]} px wide on a {w[1]} px screen");
    }

    private static void Click(ChromiumSession b, IWebElement e)
    {
        b.Js("arguments[0].scrollIntoView({ block: 'center' });", e);
        e.Click();
    }

    /// <summary>Picks an option of a select as a person would (the change event fires).</summary>
    private static void Choose(ChromiumSession b, IWebElement select, string value) =>
        b.Js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', { bubbles: true }));", select, value);

    private static void Type(IWebElement input, string text)
    {
        input.Clear();
        input.SendKeys(text);
    }

    private static IWebElement UserCard(ChromiumSession b, string name) =>
        b.Wait(d => d.FindElements(By.CssSelector("#admin-users > li")).FirstOrDefault(li => li.GetAttribute("data-user") == name), what: "user " + name)!;

    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public async Task An_admin_adds_a_clinic_user_with_a_generated_password_disables_a_user_and_changes_a_role(int width, int height)
    {
        var suffix = width.ToString(CultureInfo.InvariantCulture);
        var newUser = "nv_desk_" + suffix;
        var temp = "temp_" + suffix;
        using var api = await ApiClient.SignInAsync(fx.Server.BaseUrl, fx.Admin);
        using (var r = await api.PostAsync("api/admin/users", new { username = temp, role = "radiologist", password = "a long passphrase" }))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }
        using var b = Browser(fx.Server.BaseUrl, nameof(An_admin_adds_a_clinic_user_with_a_generated_password_disables_a_user_and_changes_a_role), width, height);
        b.SignIn(fx.Admin);
        Click(b, b.WaitFor("#admin-link"));
        b.Wait(d => d.Url.EndsWith("#/admin/users", StringComparison.Ordinal), what: "#/admin/users");
        UserCard(b, fx.Radiologist.Name);
        AssertFitsTheScreen(b, "users");
        b.Screenshot("list");

        // Add a clinic user of a clinic whose name is longer than an AE title and has spaces; no password typed.
        Type(b.WaitFor("#new-username"), newUser);
        Choose(b, b.Driver.FindElement(By.Id("new-role")), "clinic");
        Type(b.WaitFor("#new-clinics"), "North Valley Imaging Centre");
        Click(b, b.Driver.FindElement(By.Id("new-submit")));
        var password = b.WaitFor("#one-time-password").Text;
        Assert.True(password.Length >= 16, password);
        Assert.Contains("only once", b.Text("#admin-message"), StringComparison.Ordinal);
        var card = UserCard(b, newUser);
        Assert.Equal("clinic", card.GetAttribute("data-role"));
        Assert.Contains("North Valley Imaging Centre", card.Text, StringComparison.Ordinal);
        b.Screenshot("added");
        using (var desk = new ApiClient(fx.Server.BaseUrl))
        using (var login = await desk.LoginAsync(newUser, password))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }

        // Disable the temporary radiologist: the card says so and the account can no longer sign in.
        Click(b, UserCard(b, temp).FindElement(By.CssSelector("button[data-action='disable']")));
        b.Wait(_ => UserCard(b, temp).GetAttribute("data-state") == "disabled", what: "disabled");
        Assert.Contains("Disabled", UserCard(b, temp).Text, StringComparison.Ordinal);
        using (var c = new ApiClient(fx.Server.BaseUrl))
        using (var login = await c.LoginAsync(temp, "a long passphrase"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        }

        // Make it an admin (it stays disabled), through the card's edit panel.
        card = UserCard(b, temp);
        Click(b, card.FindElement(By.CssSelector("details.user-edit > summary")));
        Choose(b, card.FindElement(By.Id("role-" + temp)), "admin");
        Click(b, card.FindElement(By.CssSelector("button[data-action='save']")));
        b.Wait(_ => UserCard(b, temp).GetAttribute("data-role") == "admin", what: "role admin");
        AssertFitsTheScreen(b, "after changes");

        var audit = await api.GetJsonAsync($"api/admin/audit?subject={temp}&kind=user");
        var kinds = audit.GetProperty("items").EnumerateArray().Select(a => (a.GetProperty("kind").GetString(), a.GetProperty("actor").GetString())).ToList();
        Assert.Equal([("user.role", fx.Admin.Name), ("user.disabled", fx.Admin.Name), ("user.added", fx.Admin.Name)], kinds);
        Assert.Empty(b.CspViolations());
    }

    private static IWebElement ClinicCard(ChromiumSession b, string clinic) =>
        b.Wait(d => d.FindElements(By.CssSelector("#admin-clinics > li")).FirstOrDefault(li => li.GetAttribute("data-clinic") == clinic),
            what: "clinic " + clinic)!;

    /// <summary>The clinic user's view of the fixture's unreviewed study: whether model output is left out, and its findings.</summary>
    private async Task<(bool Hidden, bool HasFindings)> ClinicViewAsync()
    {
        using var clinic = await ApiClient.SignInAsync(fx.Server.BaseUrl, fx.ClinicUser);
        var study = await clinic.GetJsonAsync($"api/studies/{fx.GoodStudy}");
        Assert.NotEqual("reviewed", study.GetProperty("status").GetString());
        return (study.GetProperty("modelOutputHidden").GetBoolean(), study.TryGetProperty("findings", out _));
    }

    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public async Task An_admin_shows_model_output_to_a_clinic_before_review_and_hides_it_again(int width, int height)
    {
        using var api = await ApiClient.SignInAsync(fx.Server.BaseUrl, fx.Admin);
        using (var r = await api.SendAsync(HttpMethod.Put, $"api/admin/clinics/{AdminFixture.Clinic}/settings", new { showModelOutput = false }))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        Assert.Equal((true, false), await ClinicViewAsync());

        using var b = Browser(fx.Server.BaseUrl, nameof(An_admin_shows_model_output_to_a_clinic_before_review_and_hides_it_again), width, height);
        b.SignIn(fx.Admin);
        b.Open("#/admin/clinics");
        var card = ClinicCard(b, AdminFixture.Clinic);
        Assert.Equal("page", b.WaitFor("#admin-tab-clinics").GetAttribute("aria-current"));
        Assert.Equal("hidden", card.GetAttribute("data-state"));
        Assert.Contains("2 studies", card.Text, StringComparison.Ordinal);
        AssertFitsTheScreen(b, "clinics");
        b.Screenshot("off");

        // On: the box is ticked after the reload, the card names who changed it, and the clinic's user now gets the output.
        Click(b, card.FindElement(By.CssSelector("input[data-action='show-output']")));
        b.Wait(_ => ClinicCard(b, AdminFixture.Clinic).GetAttribute("data-state") == "shown", what: "shown");
        card = ClinicCard(b, AdminFixture.Clinic);
        Assert.True(card.FindElement(By.CssSelector("input[data-action='show-output']")).Selected);
        Assert.Contains("Changed by " + fx.Admin.Name, card.Text, StringComparison.Ordinal);
        Assert.Equal("Setting saved.", b.Text("#admin-message"));
        Assert.Equal((false, true), await ClinicViewAsync());
        AssertFitsTheScreen(b, "shown");
        b.Screenshot("on");

        // Off again: hidden once more.
        Click(b, card.FindElement(By.CssSelector("input[data-action='show-output']")));
        b.Wait(_ => ClinicCard(b, AdminFixture.Clinic).GetAttribute("data-state") == "hidden", what: "hidden");
        Assert.False(ClinicCard(b, AdminFixture.Clinic).FindElement(By.CssSelector("input[data-action='show-output']")).Selected);
        Assert.Equal((true, false), await ClinicViewAsync());

        var audit = await api.GetJsonAsync($"api/admin/audit?subject={AdminFixture.Clinic}&kind=clinic");
        Assert.Equal(["showModelOutput=false", "showModelOutput=true"], audit.GetProperty("items").EnumerateArray()
            .Where(a => a.GetProperty("actor").GetString() == fx.Admin.Name).Select(a => a.GetProperty("detail").GetString()).Take(2));
        Assert.Empty(b.CspViolations());
    }

    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public void The_audit_trail_filters_by_kind_and_actor_newest_first(int width, int height)
    {
        using var b = Browser(fx.Server.BaseUrl, nameof(The_audit_trail_filters_by_kind_and_actor_newest_first), width, height);
        b.SignIn(fx.Admin);
        b.Open("#/admin/audit");
        b.Wait(d => d.FindElement(By.Id("audit-events")).GetAttribute("data-total") is not null, what: "audit loaded");
        var all = int.Parse(b.Driver.FindElement(By.Id("audit-events")).GetAttribute("data-total")!, CultureInfo.InvariantCulture);

        Type(b.WaitFor("#audit-kind"), "login");
        Type(b.Driver.FindElement(By.Id("audit-actor")), fx.Admin.Name);
        Click(b, b.Driver.FindElement(By.Id("audit-apply")));
        b.Wait(d => d.FindElement(By.Id("audit-events")).GetAttribute("data-total") is { } t && int.Parse(t, CultureInfo.InvariantCulture) < all,
            what: "filtered");
        var rows = b.Driver.FindElements(By.CssSelector("#audit-events > li.audit-event"));
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.StartsWith("login", r.GetAttribute("data-kind"), StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Equal(fx.Admin.Name, r.GetAttribute("data-actor")));
        var times = rows.Select(r => DateTimeOffset.Parse(r.FindElement(By.TagName("time")).GetAttribute("datetime")!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
        Assert.Contains("Events:", b.Text("#audit-total"), StringComparison.Ordinal);

        // A date range that ends before today finds nothing.
        b.Js("document.getElementById('audit-to').value = '2020-01-01';");
        Click(b, b.Driver.FindElement(By.Id("audit-apply")));
        b.Wait(d => d.FindElement(By.Id("audit-events")).GetAttribute("data-total") == "0", what: "empty range");
        AssertFitsTheScreen(b, "audit");
        b.Screenshot("filtered");
        Assert.DoesNotContain("DOE", b.Driver.Url, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public async Task A_failed_job_and_a_failed_delivery_show_their_errors_and_are_retried_from_the_page_and_quarantine_lists_the_stray_file(
        int width, int height)
    {
        using var api = await ApiClient.SignInAsync(fx.Server.BaseUrl, fx.Admin);
        await fx.WaitForFailuresAsync(api, TimeSpan.FromMinutes(2));
        var retriesBefore = (await api.GetJsonAsync("api/admin/audit?kind=job.retried")).GetProperty("total").GetInt64();
        using var b = Browser(fx.Server.BaseUrl,
            nameof(A_failed_job_and_a_failed_delivery_show_their_errors_and_are_retried_from_the_page_and_quarantine_lists_the_stray_file), width, height);
        b.SignIn(fx.Admin);

        b.Open("#/admin/jobs");
        var job = b.Wait(d => d.FindElements(By.CssSelector("#admin-jobs > li.job[data-state='failed']"))
            .FirstOrDefault(li => li.Text.Contains(fx.BrokenStudy, StringComparison.Ordinal)), what: "failed job")!;
        Assert.NotEmpty(job.FindElement(By.CssSelector(".admin-error")).Text);
        Assert.Contains("failed 1", b.Text("#jobs-counts"), StringComparison.Ordinal);
        AssertFitsTheScreen(b, "jobs");
        b.Screenshot("jobs");
        Click(b, job.FindElement(By.CssSelector("button[data-action='retry']")));
        b.Wait(d => d.FindElement(By.Id("admin-message")).Text.Contains("Queued again", StringComparison.Ordinal), what: "queued again");
        var audit = await api.GetJsonAsync("api/admin/audit?kind=job.retried");
        Assert.Equal(retriesBefore + 1, audit.GetProperty("total").GetInt64());
        var first = audit.GetProperty("items")[0];
        Assert.Equal((fx.Admin.Name, fx.BrokenStudy), (first.GetProperty("actor").GetString(), first.GetProperty("subject").GetString()));

        b.Open("#/admin/deliveries");
        var delivery = b.Wait(d => d.FindElements(By.CssSelector("#admin-deliveries > li.delivery-row[data-status='failed']"))
            .FirstOrDefault(li => li.Text.Contains(fx.GoodStudy, StringComparison.Ordinal)), what: "failed delivery")!;
        Assert.Contains("PACS_DOWN@127.0.0.1", delivery.Text, StringComparison.Ordinal);
        Assert.NotEmpty(delivery.FindElement(By.CssSelector(".admin-error")).Text);
        AssertFitsTheScreen(b, "deliveries");
        b.Screenshot("deliveries");
        Click(b, delivery.FindElement(By.CssSelector("button[data-action='retry']")));
        b.Wait(d => d.FindElement(By.Id("admin-message")).Text.Contains("Queued again", StringComparison.Ordinal), what: "delivery queued again");
        var retried = (await api.GetJsonAsync("api/admin/audit?kind=delivery.retried")).GetProperty("items")[0];
        Assert.Equal((fx.Admin.Name, fx.GoodStudy), (retried.GetProperty("actor").GetString(), retried.GetProperty("subject").GetString()));

        b.Open("#/admin/quarantine");
        var stray = b.WaitFor("#admin-quarantine > li.quarantined");
        Assert.StartsWith("1.2.826.0.1.3680043.2.1143.7.1.1-", stray.GetAttribute("data-name"), StringComparison.Ordinal);
        Assert.StartsWith("unreadable", stray.FindElement(By.CssSelector(".quarantine-reason")).Text, StringComparison.Ordinal);
        AssertFitsTheScreen(b, "quarantine");
        b.Screenshot("quarantine");
        Assert.Empty(b.CspViolations());
    }

    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public void A_radiologist_and_a_clinic_user_get_no_Admin_entry_and_the_admin_pages_say_not_allowed(int width, int height)
    {
        foreach (var user in new[] { fx.Radiologist, fx.ClinicUser })
        {
            using var b = Browser(fx.Server.BaseUrl, $"{nameof(A_radiologist_and_a_clinic_user_get_no_Admin_entry_and_the_admin_pages_say_not_allowed)}-{user.Role}",
                width, height);
            b.SignIn(user);
            Assert.False(b.Driver.FindElement(By.Id("admin-link")).Displayed);
            foreach (var section in new[] { "users", "clinics", "audit", "jobs", "deliveries", "quarantine" })
            {
                b.Open("#/admin/" + section);
                Assert.Equal("Not allowed: this page is for administrators only.", b.Text("#admin-denied"));
                Assert.Empty(b.Driver.FindElements(By.CssSelector(".admin-list > li.admin-item")));
            }
            AssertFitsTheScreen(b, "denied");
            b.Screenshot("denied");
        }
    }

    [Fact]
    public void In_Arabic_the_admin_screens_are_translated_and_mirrored_and_UIDs_stay_left_to_right()
    {
        using var b = Browser(fx.Server.BaseUrl, nameof(In_Arabic_the_admin_screens_are_translated_and_mirrored_and_UIDs_stay_left_to_right), 390, 844, "ar");
        b.SignIn(fx.Admin);
        b.Open("#/admin/jobs");
        var job = b.WaitFor("#admin-jobs > li.job");
        Assert.Equal("rtl", b.Js("return document.documentElement.dir;"));
        Assert.Equal("المهام", b.Text("#admin-tab-jobs"));
        var uid = job.FindElement(By.CssSelector("a.uid"));
        Assert.Equal("ltr", b.Js("return getComputedStyle(arguments[0]).direction;", uid));
        AssertFitsTheScreen(b, "arabic jobs");
        b.Screenshot("jobs");
    }
}
