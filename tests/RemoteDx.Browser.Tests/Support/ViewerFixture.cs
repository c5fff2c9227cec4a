using System.Text.Json;

namespace RemoteDx.Browser.Tests.Support;

/// <summary>The one place the browser tests get their data: `remotedx serve` on loopback with an admin, a radiologist
/// and a clinic user, and chest radiographs sent with DCMTK storescu from two clinics (calling AE titles), scored by
/// the models serve loads. Shared by every test in the "viewer" collection.</summary>
public sealed class ViewerFixture : IAsyncLifetime
{
    public const string ClinicA = "CLINIC_A";
    public const string ClinicB = "CLINIC_B";

    private readonly TempDirectory _root = new("browser");

    public RemoteDxServe Server { get; private set; } = null!;

    public Uri BaseUrl => Server.BaseUrl;

    public TestUser Admin { get; } = NewUser("rdx_admin", "admin", null);

    public TestUser Radiologist { get; } = NewUser("dr_lee", "radiologist", null);

    public TestUser ClinicUser { get; } = NewUser("clinic_b", "clinic", ClinicB);

    /// <summary>Study UIDs by what the tests need them for.</summary>
    public string JaneDoeStudy { get; private set; } = "";

    public string XssStudy { get; private set; } = "";

    public string ClinicAStudy => JaneDoeStudy;

    public string ClinicBStudy { get; private set; } = "";

    /// <summary>A hand film of clinic A: no model applies to it.</summary>
    public string HandStudy { get; private set; } = "";

    public IReadOnlyList<string> AllStudies { get; private set; } = [];

    private static TestUser NewUser(string name, string role, string? clinic) =>
        new(name, "pw-" + Guid.NewGuid().ToString("N")[..16], role, clinic);

    public async Task InitializeAsync()
    {
        Paths.RequireBrowser();
        var storescu = Tool.Require("storescu");
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        Server = await RemoteDxServe.StartAsync(data);

        foreach (var u in new[] { Admin, Radiologist, ClinicUser })
        {
            await RemoteDxUsers.AddAsync(data, u.Name, u.Role, u.Password, u.Clinic is null ? null : [u.Clinic]);
        }

        var input = Path.Combine(_root, "input");
        Directory.CreateDirectory(input);
        var jane = TestStudies.WriteChestRadiograph(input, "DOE^JANE", "BT-001", 1);
        var xss = TestStudies.WriteChestRadiograph(input, TestStudies.XssName, "BT-002", 2);
        var ann = TestStudies.WriteChestRadiograph(input, "MILLER^ANN", "BT-003", 3);
        var richard = TestStudies.WriteChestRadiograph(input, "ROE^RICHARD", "BT-004", 4);
        var hand = TestStudies.WriteChestRadiograph(input, "HAND^HARRY", "BT-005", 5, bodyPart: "HAND");
        await Send(storescu, ClinicA, jane.Path, xss.Path, ann.Path, hand.Path);
        await Send(storescu, ClinicB, richard.Path);
        JaneDoeStudy = jane.StudyUid;
        XssStudy = xss.StudyUid;
        ClinicBStudy = richard.StudyUid;
        HandStudy = hand.StudyUid;
        AllStudies = [jane.StudyUid, xss.StudyUid, ann.StudyUid, richard.StudyUid, hand.StudyUid];
        await WaitUntilScoredAsync(TimeSpan.FromMinutes(3));
    }

    private async Task Send(string storescu, string callingAet, params string[] files)
    {
        await ChildProcess.RunAsync(storescu,
            ["-aet", callingAet, "-aec", "REMOTEDX", "127.0.0.1", Server.DicomPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. files],
            timeout: TimeSpan.FromSeconds(60));
    }

    /// <summary>False when serve started without any model (it logs that scoring workers did not start): the studies
    /// are listed but stay "scoring" and have no findings.</summary>
    public bool ScoringAvailable => !Server.Output.Contains("no image scorer is registered", StringComparison.Ordinal);

    /// <summary>Every sent study is listed and, when serve scores, none is still scoring (bounded; the failure names
    /// what is missing).</summary>
    private async Task WaitUntilScoredAsync(TimeSpan timeout)
    {
        using var api = await ApiClient.SignInAsync(BaseUrl, Admin);
        var deadline = DateTime.UtcNow + timeout;
        string last = "";
        while (true)
        {
            var list = await api.GetJsonAsync("api/worklist?pageSize=200");
            var items = list.GetProperty("items").EnumerateArray().ToList();
            var listed = items.Where(i => AllStudies.Contains(i.GetProperty("studyInstanceUid").GetString())).ToList();
            if (listed.Count == AllStudies.Count && (!ScoringAvailable || listed.All(i => i.GetProperty("status").GetString() != "scoring")))
            {
                return;
            }
            last = string.Join(", ", listed.Select(i => i.GetProperty("status").GetString()));
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"studies not listed and scored in {timeout.TotalSeconds:0} s ({listed.Count}/{AllStudies.Count} listed: {last}):\n{Server.Output}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>A study of ours with a positive finding, highest in rank first; throws when scoring produced none.</summary>
    public async Task<(string StudyUid, JsonElement Study)> StudyWithPositiveFindingAsync(ApiClient api)
    {
        foreach (var uid in await api.WorklistOrderAsync(200))
        {
            if (!AllStudies.Contains(uid))
            {
                continue;
            }
            var study = await api.GetJsonAsync($"api/studies/{uid}");
            var positive = study.GetProperty("series").EnumerateArray()
                .SelectMany(s => s.GetProperty("instances").EnumerateArray())
                .SelectMany(i => i.GetProperty("findings").EnumerateArray())
                .Any(f => f.GetProperty("positive").GetBoolean());
            if (positive)
            {
                return (uid, study);
            }
        }
        throw new InvalidOperationException(ScoringAvailable
            ? "no test study has a positive finding: the loaded models flagged none of them"
            : "no test study has a finding: serve has no model to score with (\"no image scorer is registered\")");
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

[CollectionDefinition("viewer")]
public sealed class ViewerCollection : ICollectionFixture<ViewerFixture>;
