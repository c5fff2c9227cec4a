using System.Globalization;
using System.Text.Json;

namespace RemoteDx.Browser.Tests.Support;

/// <summary>Its own `remotedx serve` for the review tests (they change decisions, notes and review marks, which the
/// shared viewer studies must not see): a radiologist, an admin, a user for each of two clinics; a two-image chest
/// study of clinic A (one series per image) and two single-image studies of clinic B, all scored.</summary>
public sealed class StudyReviewFixture : IAsyncLifetime
{
    public const string ClinicA = "CLINIC_A";
    public const string ClinicB = "CLINIC_B";

    private readonly TempDirectory _root = new("browser-review");

    public RemoteDxServe Server { get; private set; } = null!;

    public Uri BaseUrl => Server.BaseUrl;

    public TestUser Radiologist { get; } = NewUser("dr_rev", "radiologist", null);

    public TestUser Admin { get; } = NewUser("rev_admin", "admin", null);

    public TestUser ClinicAUser { get; } = NewUser("clinic_a_rev", "clinic", ClinicA);

    public TestUser ClinicBUser { get; } = NewUser("clinic_b_rev", "clinic", ClinicB);

    /// <summary>Clinic A: two PA images of one patient, in two series.</summary>
    public string TwoImageStudy { get; private set; } = "";

    /// <summary>Clinic B: the study its user sends notes about (never marked reviewed).</summary>
    public string NotesStudy { get; private set; } = "";

    /// <summary>Clinic B: the study a test marks reviewed.</summary>
    public string ReviewedStudy { get; private set; } = "";

    private static TestUser NewUser(string name, string role, string? clinic) => new(name, "pw-" + Guid.NewGuid().ToString("N")[..16], role, clinic);

    public async Task InitializeAsync()
    {
        Paths.RequireBrowser();
        var storescu = Tool.Require("storescu");
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        Server = await RemoteDxServe.StartAsync(data, new Dictionary<string, string> { ["RemoteDx__Worklist__QuietPeriodSeconds"] = "0" });
        foreach (var u in new[] { Radiologist, Admin, ClinicAUser, ClinicBUser })
        {
            await RemoteDxUsers.AddAsync(data, u.Name, u.Role, u.Password, u.Clinic is null ? null : [u.Clinic]);
        }
        var input = Path.Combine(_root, "input");
        Directory.CreateDirectory(input);
        var first = TestStudies.WriteChestRadiograph(input, "TWIN^TESSA", "RV-001", 1);
        var second = TestStudies.WriteChestRadiograph(input, "TWIN^TESSA", "RV-001", 2, studyUid: first.StudyUid, instanceNumber: 2);
        var notes = TestStudies.WriteChestRadiograph(input, "NOTE^NORA", "RV-002", 3);
        var reviewed = TestStudies.WriteChestRadiograph(input, "DONE^DORA", "RV-003", 4);
        await SendAsync(storescu, ClinicA, first.Path, second.Path);
        await SendAsync(storescu, ClinicB, notes.Path, reviewed.Path);
        (TwoImageStudy, NotesStudy, ReviewedStudy) = (first.StudyUid, notes.StudyUid, reviewed.StudyUid);
        await WaitUntilScoredAsync([TwoImageStudy, NotesStudy, ReviewedStudy], TimeSpan.FromMinutes(3));
    }

    private async Task SendAsync(string storescu, string callingAet, params string[] files) =>
        await ChildProcess.RunAsync(storescu,
            ["-aet", callingAet, "-aec", "REMOTEDX", "127.0.0.1", Server.DicomPort.ToString(CultureInfo.InvariantCulture), .. files],
            timeout: TimeSpan.FromSeconds(60));

    private async Task WaitUntilScoredAsync(IReadOnlyList<string> studies, TimeSpan timeout)
    {
        using var api = await ApiClient.SignInAsync(BaseUrl, Radiologist);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var items = (await api.GetJsonAsync("api/worklist?pageSize=200")).GetProperty("items").EnumerateArray()
                .Where(i => studies.Contains(i.GetProperty("studyInstanceUid").GetString())).ToList();
            if (items.Count == studies.Count && items.All(i => i.GetProperty("status").GetString() != "scoring" && i.GetProperty("instances").GetInt32() > 0))
            {
                var twin = items.Single(i => i.GetProperty("studyInstanceUid").GetString() == TwoImageStudy);
                if (twin.GetProperty("instances").GetInt32() == 2)
                {
                    return;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"review studies not scored in {timeout.TotalSeconds:0} s (is a model installed in models/?):\n{Server.Output}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>The study as the radiologist's API sees it.</summary>
    public async Task<JsonElement> StudyAsync(string uid)
    {
        using var api = await ApiClient.SignInAsync(BaseUrl, Radiologist);
        return await api.GetJsonAsync($"api/studies/{uid}");
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        _root.Dispose();
    }
}

[CollectionDefinition("review")]
public sealed class StudyReviewCollection : ICollectionFixture<StudyReviewFixture>;
