using System.Globalization;
using System.Runtime.CompilerServices;
using OpenQA.Selenium;
using RemoteDx.Browser.Tests.Support;
using RemoteDx.Dicom;
using static RemoteDx.Browser.Tests.Support.WorklistPage;

namespace RemoteDx.Browser.Tests;

/// <summary>Alerts of issue 18 items 6 and 8, on a phone and a desktop at once: a new STAT study badges the tab title,
/// shows a toast, raises a browser Notification (permission granted through CDP after the bell asked) that does not name
/// the patient, and beeps when sound is on; a clinic user hears when one of its studies is reviewed (and not another
/// clinic's); the offline banner appears when the event stream is down.</summary>
[Collection("worklist")]
public sealed class WorklistAlertsTests(WorklistFixture fx)
{
    // Runs before the page's scripts: records every Notification the page creates (and still creates it).
    private const string NotificationRecorder = """
        window.__rdxNotes = [];
        if (window.Notification) {
          const Real = window.Notification;
          class Recorded extends Real {
            constructor(title, options) { window.__rdxNotes.push({ title, body: (options && options.body) || '' }); super(title, options); }
          }
          Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
          Recorded.requestPermission = (...a) => Real.requestPermission(...a);
          window.Notification = Recorded;
        }
        """;

    /// <summary>A browser that records notifications; with <paramref name="allowNotifications"/> the permission prompt the
    /// bell raises is answered "allow" (CDP), as a reader would.</summary>
    private ChromiumSession Browser(int width, int height, bool allowNotifications = false, [CallerMemberName] string test = "")
    {
        var b = WorklistPage.Open(fx.BaseUrl, test, width, height);
        b.Driver.ExecuteCdpCommand("Page.addScriptToEvaluateOnNewDocument", new Dictionary<string, object?> { ["source"] = NotificationRecorder });
        if (allowNotifications)
        {
            b.Driver.ExecuteCdpCommand("Browser.grantPermissions", new Dictionary<string, object?>
            {
                ["origin"] = fx.BaseUrl.GetLeftPart(UriPartial.Authority), ["permissions"] = new[] { "notifications" },
            });
        }
        return b;
    }

    private static string Title(ChromiumSession b) => (string)b.Js("return document.title;")!;

    private static void WaitLive(ChromiumSession b) =>
        b.Wait(_ => Attr(b, "#live", "data-state") == "open", 30, "event stream open");

    [Fact]
    public async Task A_new_STAT_study_badges_the_title_toasts_notifies_without_the_patient_name_and_beeps_when_sound_is_on()
    {
        using var phone = Browser(PhoneWidth, PhoneHeight);
        using var desktop = Browser(DesktopWidth, DesktopHeight, allowNotifications: true);
        foreach (var b in new[] { phone, desktop })
        {
            b.SignIn(fx.Radiologist);
            b.WorklistRows();
            WaitLive(b);
            Assert.Equal("RemoteDx", Title(b));
            Assert.Equal("false", Attr(b, "#alerts-sound", "aria-pressed")); // sound is off until turned on
        }
        desktop.WaitFor("#alerts-bell").Click();
        desktop.Wait(_ => Attr(desktop, "#alerts-bell", "data-permission") == "granted", what: "notifications allowed");
        phone.WaitFor("#alerts-sound").Click();
        Assert.Equal("true", Attr(phone, "#alerts-sound", "aria-pressed"));
        var beepsBefore = int.Parse(Attr(phone, "#alerts-sound", "data-played") is { Length: > 0 } p ? p : "0", CultureInfo.InvariantCulture);

        // The sample pneumothorax is flagged critical by the chest model: a STAT study from clinic A ("Northside").
        var sample = Path.Combine(Repo.Root, "sample-dicom", "clinic-a", "pneumothorax-pa.dcm");
        var patient = DicomFile.Open(sample).Dataset.GetString(Tag.PatientName)!;
        var uid = DicomFile.Open(sample).Dataset.GetString(Tag.StudyInstanceUID)!;
        await ChildProcess.RunAsync(Tool.Require("storescu"), ["-aet", WorklistFixture.ClinicA, "-aec", "REMOTEDX", "-xs", "127.0.0.1",
            fx.Server.DicomPort.ToString(CultureInfo.InvariantCulture), sample], timeout: TimeSpan.FromSeconds(60));

        var expected = $"New STAT study from {WorklistFixture.ClinicAName}";
        foreach (var b in new[] { phone, desktop })
        {
            b.Wait(_ => Title(b) == "(1) RemoteDx", 180, "title badge");
            var toast = b.WaitFor("#alert-toasts .toast.stat");
            Assert.Equal(expected, toast.FindElement(By.CssSelector(".toast-text")).Text);
            Assert.Equal(uid, toast.GetAttribute("data-uid"));
            Assert.DoesNotContain(patient.Split('^')[0], toast.Text, StringComparison.OrdinalIgnoreCase);
            b.Screenshot("stat");
        }
        var notes = ((IEnumerable<object>)desktop.Js("return window.__rdxNotes.map((n) => n.title + '|' + n.body);")!).Select(o => (string)o).ToList();
        Assert.Equal($"RemoteDx|{expected}", Assert.Single(notes));
        Assert.DoesNotContain(patient.Split('^')[0], notes[0], StringComparison.OrdinalIgnoreCase);
        Assert.Empty((IEnumerable<object>)phone.Js("return window.__rdxNotes;")!); // the phone's reader never allowed them
        Assert.NotEqual("granted", Attr(phone, "#alerts-bell", "data-permission"));
        phone.Wait(_ => int.Parse(Attr(phone, "#alerts-sound", "data-played"), CultureInfo.InvariantCulture) > beepsBefore, what: "a beep");
        Assert.Equal("0", Attr(desktop, "#alerts-sound", "data-played") is { Length: > 0 } d ? d : "0");

        // The reader is back: a click clears the badge; the sound choice survives a reload.
        desktop.Driver.FindElement(By.Id("wl-summary")).Click();
        desktop.Wait(_ => Title(desktop) == "RemoteDx", what: "badge cleared");
        phone.Open("#/worklist");
        phone.WorklistRows();
        Assert.Equal("true", Attr(phone, "#alerts-sound", "aria-pressed"));
        await fx.WaitUntilScoredAsync([uid], TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task A_clinic_user_is_told_when_one_of_its_studies_is_reviewed_and_not_when_another_clinics_is()
    {
        using var phone = Browser(PhoneWidth, PhoneHeight);
        using var desktop = Browser(DesktopWidth, DesktopHeight);
        foreach (var b in new[] { phone, desktop })
        {
            b.SignIn(fx.ClinicUser);
            b.WorklistRows();
            WaitLive(b);
        }
        using var api = await ApiClient.SignInAsync(fx.BaseUrl, fx.Radiologist);
        // Clinic A's study first: the clinic B user hears nothing of it; then its own.
        (await api.PostAsync($"api/studies/{fx.StudyByPatientId["WL-F02"]}/reviewed")).EnsureSuccessStatusCode();
        var own = fx.StudyByPatientId["WL-F03"];
        (await api.PostAsync($"api/studies/{own}/reviewed")).EnsureSuccessStatusCode();
        foreach (var b in new[] { phone, desktop })
        {
            b.Wait(_ => Title(b) == "(1) RemoteDx", 60, "title badge");
            var toast = b.WaitFor("#alert-toasts .toast.reviewed");
            Assert.Equal("A study from your clinic has been reviewed", toast.FindElement(By.CssSelector(".toast-text")).Text);
            Assert.Equal(own, toast.GetAttribute("data-uid"));
            Assert.Single(b.Driver.FindElements(By.CssSelector("#alert-toasts .toast")));
            AssertNoHorizontalOverflow(b, "toast");
            b.Screenshot("reviewed");
        }
        // No STAT alerts for a clinic user, however its studies are flagged.
        Assert.Empty(desktop.Driver.FindElements(By.CssSelector("#alert-toasts .toast.stat")));
    }

    [Fact]
    public async Task The_offline_banner_shows_when_the_event_stream_is_down()
    {
        using var root = new TempDirectory("browser-offline");
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        var user = new TestUser("offline_rad", "pw-" + Guid.NewGuid().ToString("N")[..16], "radiologist", null);
        await RemoteDxUsers.AddAsync(data, user.Name, user.Role, user.Password);
        var serve = await RemoteDxServe.StartAsync(data);
        var running = true;
        try
        {
            using var phone = WorklistPage.Open(serve.BaseUrl, nameof(The_offline_banner_shows_when_the_event_stream_is_down), PhoneWidth, PhoneHeight);
            using var desktop = WorklistPage.Open(serve.BaseUrl, nameof(The_offline_banner_shows_when_the_event_stream_is_down), DesktopWidth, DesktopHeight);
            foreach (var b in new[] { phone, desktop })
            {
                b.SignIn(user);
                b.Wait(_ => Attr(b, "#live", "data-state") == "open", 30, "event stream open");
                Assert.False(b.Driver.FindElement(By.Id("offline-banner")).Displayed);
            }
            await serve.DisposeAsync();
            running = false;
            foreach (var b in new[] { phone, desktop })
            {
                var banner = b.WaitFor("#offline-banner", 30);
                Assert.Equal("alert", banner.GetAttribute("role"));
                Assert.Contains("Offline", banner.Text, StringComparison.Ordinal);
                Assert.False(b.Driver.FindElement(By.Id("live")).Displayed); // the banner replaces the small status text
                var box = ((IReadOnlyCollection<object>)b.Js("const r = document.getElementById('offline-banner').getBoundingClientRect(); return [r.top, r.height, innerWidth, r.width];")!)
                    .Select(o => Convert.ToDouble(o, CultureInfo.InvariantCulture)).ToArray();
                Assert.True(box[0] < 200 && box[1] >= 24 && box[3] >= box[2] - 1, $"banner at the top across the page: {string.Join(", ", box)}");
                AssertNoHorizontalOverflow(b, "offline");
                b.Screenshot("offline");
            }
        }
        finally
        {
            if (running)
            {
                await serve.DisposeAsync();
            }
        }
    }
}
