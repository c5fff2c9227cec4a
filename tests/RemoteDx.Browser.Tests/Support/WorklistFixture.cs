using System.Globalization;

namespace RemoteDx.Browser.Tests.Support;

/// <summary>Serve for the worklist tests (issue 18 items 3 and 6): enough studies for a full screen and a second page,
/// patients whose names need accent-, case- and script-aware search, two clinics of which one is mapped to a clinic
/// name (CLINIC_A sends for "Northside"), and a radiologist, an admin and a clinic user of CLINIC_B. Its own serve, so
/// the alert tests may add studies and reviews without changing what other tests see.</summary>
public sealed class WorklistFixture : IAsyncLifetime
{
    public const string ClinicA = "CLINIC_A";
    public const string ClinicAName = "Northside";
    public const string ClinicB = "CLINIC_B";

    /// <summary>Patients with names search must fold: (name, patient ID, clinic AE).</summary>
    public static readonly (string Name, string Id, string Clinic)[] NamedPatients =
    [
        ("MÜLLER^JOSÉ", "WL-MUL-1", ClinicA),
        ("Ærø^Søren", "WL-AER-2", ClinicA),
        ("محمد^علي", "WL-ARA-3", ClinicB),
        ("Wang^Xiaoming=王^小明", "WL-CHN-4", ClinicB),
    ];

    public const int FillerStudies = 22;

    private readonly TempDirectory _root = new("browser-worklist");

    public RemoteDxServe Server { get; private set; } = null!;

    public Uri BaseUrl => Server.BaseUrl;

    public TestUser Radiologist { get; } = NewUser("wl_rad", "radiologist", null);

    public TestUser Admin { get; } = NewUser("wl_admin", "admin", null);

    public TestUser ClinicUser { get; } = NewUser("wl_clinic_b", "clinic", ClinicB);

    /// <summary>Study UID by patient ID, for every study sent at start.</summary>
    public IReadOnlyDictionary<string, string> StudyByPatientId { get; private set; } = new Dictionary<string, string>();

    /// <summary>Accession number by patient ID.</summary>
    public IReadOnlyDictionary<string, string> AccessionByPatientId { get; private set; } = new Dictionary<string, string>();

    /// <summary>A clinic A study the radiologist marked reviewed at start (hidden by the default filter).</summary>
    public string ReviewedStudy { get; private set; } = "";

    public string InputDirectory => Path.Combine(_root, "input");

    private static TestUser NewUser(string name, string role, string? clinic) =>
        new(name, "pw-" + Guid.NewGuid().ToString("N")[..16], role, clinic);

    public async Task InitializeAsync()
    {
        Paths.RequireBrowser();
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        foreach (var u in new[] { Radiologist, Admin, ClinicUser })
        {
            await RemoteDxUsers.AddAsync(data, u.Name, u.Role, u.Password, u.Clinic is null ? null : [u.Clinic]);
        }
        Server = await RemoteDxServe.StartAsync(data, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RemoteDx__Dicom__AllowedCallingAEs__0__AeTitle"] = ClinicA,
            ["RemoteDx__Dicom__AllowedCallingAEs__0__Clinic"] = ClinicAName,
            ["RemoteDx__Dicom__AllowedCallingAEs__1__AeTitle"] = ClinicB,
        });

        Directory.CreateDirectory(InputDirectory);
        var byClinic = new Dictionary<string, List<string>>(StringComparer.Ordinal) { [ClinicA] = [], [ClinicB] = [] };
        var studies = new Dictionary<string, string>(StringComparer.Ordinal);
        var accessions = new Dictionary<string, string>(StringComparer.Ordinal);
        var seed = 100;
        void Add(string name, string id, string clinic)
        {
            seed++;
            var (path, uid) = TestStudies.WriteChestRadiograph(InputDirectory, name, id, seed);
            byClinic[clinic].Add(path);
            studies[id] = uid;
            accessions[id] = "ACC" + seed.ToString(CultureInfo.InvariantCulture);
        }
        foreach (var (name, id, clinic) in NamedPatients)
        {
            Add(name, id, clinic);
        }
        for (var i = 0; i < FillerStudies; i++)
        {
            Add($"FILLER^PATIENT{i:00}", $"WL-F{i:00}", i % 3 == 0 ? ClinicB : ClinicA);
        }
        var storescu = Tool.Require("storescu");
        foreach (var (clinic, files) in byClinic)
        {
            await ChildProcess.RunAsync(storescu,
                ["-aet", clinic, "-aec", "REMOTEDX", "127.0.0.1", Server.DicomPort.ToString(CultureInfo.InvariantCulture), .. files],
                timeout: TimeSpan.FromSeconds(120));
        }
        StudyByPatientId = studies;
        AccessionByPatientId = accessions;
        await WaitUntilScoredAsync(studies.Values.ToList(), TimeSpan.FromMinutes(4));
        using var api = await ApiClient.SignInAsync(BaseUrl, Radiologist);
        ReviewedStudy = studies["WL-F01"];
        using var reviewed = await api.PostAsync($"api/studies/{ReviewedStudy}/reviewed");
        reviewed.EnsureSuccessStatusCode();
    }

    /// <summary>Waits until every study in <paramref name="uids"/> is listed and none is still scoring.</summary>
    public async Task WaitUntilScoredAsync(IReadOnlyCollection<string> uids, TimeSpan timeout)
    {
        using var api = await ApiClient.SignInAsync(BaseUrl, Admin);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var items = (await api.GetJsonAsync("api/worklist?pageSize=500")).GetProperty("items").EnumerateArray()
                .Where(i => uids.Contains(i.GetProperty("studyInstanceUid").GetString()!)).ToList();
            if (items.Count == uids.Count && items.All(i => i.GetProperty("status").GetString() != "scoring"))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{items.Count}/{uids.Count} studies listed, not all scored in {timeout.TotalSeconds:0} s:\n{Server.Output}");
            }
            await Task.Delay(250);
        }
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

[CollectionDefinition("worklist")]
public sealed class WorklistCollection : ICollectionFixture<WorklistFixture>;
