using System.Globalization;
using System.Text.Json;
using RemoteDx.Dicom;

namespace RemoteDx.Browser.Tests.Support;

/// <summary>`remotedx serve` for the admin screens, with something in every admin list: an admin, a radiologist and a
/// clinic user; a chest radiograph from clinic A whose pixel data is cut short (its scoring job fails, one attempt
/// allowed); a good one whose results go to a clinic PACS that is down (the delivery fails, one attempt allowed); and an
/// unreadable file left in the archive, which the start-up reconciliation quarantines.</summary>
public sealed class AdminFixture : IAsyncLifetime
{
    public const string Clinic = "CLINIC_A";

    private readonly TempDirectory _root = new("browser-admin");

    public RemoteDxServe Server { get; private set; } = null!;

    public TestUser Admin { get; } = NewUser("rdx_admin", "admin", null);

    public TestUser Radiologist { get; } = NewUser("dr_lee", "radiologist", null);

    public TestUser ClinicUser { get; } = NewUser("clinic_a", "clinic", Clinic);

    public string BrokenStudy { get; private set; } = "";

    public string GoodStudy { get; private set; } = "";

    private static TestUser NewUser(string name, string role, string? clinic) => new(name, "pw-" + Guid.NewGuid().ToString("N")[..16], role, clinic);

    public async Task InitializeAsync()
    {
        Paths.RequireBrowser();
        var storescu = Tool.Require("storescu");
        var data = Path.Combine(_root, "data");
        var stray = Path.Combine(data, "archive", "1.2.826.0.1.3680043.2.1143.7", "1.2.826.0.1.3680043.2.1143.7.1");
        Directory.CreateDirectory(stray);
        var strayFile = Path.Combine(stray, "1.2.826.0.1.3680043.2.1143.7.1.1.dcm");
        await File.WriteAllTextAsync(strayFile, "not DICOM");
        File.SetLastWriteTimeUtc(strayFile, DateTime.UtcNow.AddHours(-2));
        foreach (var u in new[] { Admin, Radiologist, ClinicUser })
        {
            await RemoteDxUsers.AddAsync(data, u.Name, u.Role, u.Password, u.Clinic is null ? null : [u.Clinic]);
        }
        var downPort = LoopbackPort.Free().ToString(CultureInfo.InvariantCulture);
        Server = await RemoteDxServe.StartAsync(data, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RemoteDx__Worklist__QuietPeriodSeconds"] = "1",
            ["RemoteDx__Scoring__MaxAttempts"] = "1",
            ["RemoteDx__Results__PollSeconds"] = "0.2",
            ["RemoteDx__Results__TimeoutSeconds"] = "5",
            ["RemoteDx__Results__MaxAttempts"] = "1",
            ["RemoteDx__Results__Destinations__0__Clinic"] = Clinic,
            ["RemoteDx__Results__Destinations__0__AeTitle"] = "PACS_DOWN",
            ["RemoteDx__Results__Destinations__0__Host"] = "127.0.0.1",
            ["RemoteDx__Results__Destinations__0__Port"] = downPort,
        });

        var input = Path.Combine(_root, "input");
        Directory.CreateDirectory(input);
        var good = TestStudies.WriteChestRadiograph(input, "DOE^JANE", "AD-001", 11);
        var broken = TestStudies.WriteChestRadiograph(input, "ROE^RICHARD", "AD-002", 12);
        // Rows × Columns × 2 bytes are declared; a tenth of them arrive.
        var file = DicomFile.Open(broken.Path);
        file.Dataset.SetBytes(Tag.PixelData, VR.OW, new byte[512 * 512 / 5]);
        file.Save(broken.Path);
        GoodStudy = good.StudyUid;
        BrokenStudy = broken.StudyUid;
        await ChildProcess.RunAsync(storescu,
            ["-aet", Clinic, "-aec", "REMOTEDX", "127.0.0.1", Server.DicomPort.ToString(CultureInfo.InvariantCulture), good.Path, broken.Path],
            timeout: TimeSpan.FromSeconds(60));
        using var api = await ApiClient.SignInAsync(Server.BaseUrl, Admin);
        await WaitForFailuresAsync(api, TimeSpan.FromMinutes(3));
    }

    /// <summary>Waits until the broken image's job and the good study's delivery have failed and the stray file is in
    /// quarantine (bounded; the failure shows what is missing and serve's output). Tests that retry call it again.</summary>
    public async Task WaitForFailuresAsync(ApiClient api, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var jobs = await api.GetJsonAsync("api/admin/jobs?state=failed");
            var deliveries = await api.GetJsonAsync("api/admin/deliveries?state=failed");
            var quarantine = await api.GetJsonAsync("api/admin/quarantine");
            var jobFailed = jobs.GetProperty("items").EnumerateArray().Any(j => j.GetProperty("studyInstanceUid").GetString() == BrokenStudy);
            var deliveryFailed = deliveries.GetProperty("items").EnumerateArray().Any(d => d.GetProperty("studyInstanceUid").GetString() == GoodStudy);
            var quarantined = quarantine.GetProperty("items").GetArrayLength() > 0;
            if (jobFailed && deliveryFailed && quarantined)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"admin fixture not ready in {timeout.TotalSeconds:0} s (failed job {jobFailed}, failed delivery " +
                    $"{deliveryFailed}, quarantined {quarantined}): {Text(jobs)} {Text(deliveries)}\n{Server.Output}");
            }
            await Task.Delay(250);
        }
    }

    private static string Text(JsonElement e) => e.GetRawText();

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        _root.Dispose();
    }
}
