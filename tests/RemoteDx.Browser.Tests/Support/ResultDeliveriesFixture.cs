using System.Globalization;
using System.Text.Json;
using RemoteDx.Dicom;

namespace RemoteDx.Browser.Tests.Support;

/// <summary>`remotedx serve` with two result destinations for clinic A: its PACS (DCMTK storescp, started here on a free
/// loopback port) and a second PACS that is down (a free port nobody listens on). The sample pneumothorax radiograph is
/// sent from clinic A and scored; ready once the PACS has its results ("sent") and the down one has been tried once and
/// waits for its next try ("pending"), the retry far enough off that it stays pending while the tests look.</summary>
public sealed class ResultDeliveriesFixture : IAsyncLifetime
{
    public const string Clinic = "CLINIC_A";
    public const string Sample = "clinic-a/pneumothorax-pa.dcm";

    private readonly TempDirectory _root = new("browser-results");
    private ChildProcess? _pacs;

    public RemoteDxServe Server { get; private set; } = null!;

    public TestUser Radiologist { get; } = new("dr_lee", "pw-" + Guid.NewGuid().ToString("N")[..16], "radiologist", null);

    public TestUser ClinicUser { get; } = new("clinic_a", "pw-" + Guid.NewGuid().ToString("N")[..16], "clinic", Clinic);

    public string StudyUid { get; private set; } = "";

    /// <summary>AE@host:port as the API names the destinations.</summary>
    public string PacsDestination { get; private set; } = "";

    public string DownDestination { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Paths.RequireBrowser();
        var storescu = Tool.Require("storescu");
        var pacsPort = LoopbackPort.Free();
        var downPort = LoopbackPort.Free();
        var received = Path.Combine(_root, "pacs");
        Directory.CreateDirectory(received);
        _pacs = ChildProcess.Start(Tool.Require("storescp"), ["-aet", "PACS_A", "-od", received, Port(pacsPort)]);
        PacsDestination = $"PACS_A@127.0.0.1:{Port(pacsPort)}";
        DownDestination = $"PACS_DOWN@127.0.0.1:{Port(downPort)}";

        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        foreach (var u in new[] { Radiologist, ClinicUser })
        {
            await RemoteDxUsers.AddAsync(data, u.Name, u.Role, u.Password, u.Clinic is null ? null : [u.Clinic]);
        }
        Server = await RemoteDxServe.StartAsync(data, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RemoteDx__Worklist__QuietPeriodSeconds"] = "1",
            ["RemoteDx__Results__PollSeconds"] = "0.2",
            ["RemoteDx__Results__TimeoutSeconds"] = "5",
            // The down PACS is tried once, then waits minutes: the tests see it pending with a next try.
            ["RemoteDx__Results__RetryBaseSeconds"] = "300",
            ["RemoteDx__Results__RetryMaxSeconds"] = "600",
            ["RemoteDx__Results__Destinations__0__Clinic"] = Clinic,
            ["RemoteDx__Results__Destinations__0__AeTitle"] = "PACS_A",
            ["RemoteDx__Results__Destinations__0__Host"] = "127.0.0.1",
            ["RemoteDx__Results__Destinations__0__Port"] = Port(pacsPort),
            ["RemoteDx__Results__Destinations__1__Clinic"] = Clinic,
            ["RemoteDx__Results__Destinations__1__AeTitle"] = "PACS_DOWN",
            ["RemoteDx__Results__Destinations__1__Host"] = "127.0.0.1",
            ["RemoteDx__Results__Destinations__1__Port"] = Port(downPort),
        });

        var path = Repo.Path(Path.Combine("sample-dicom", Sample));
        StudyUid = DicomFile.Open(path).Dataset.GetString(Tag.StudyInstanceUID)!;
        // storescu proposes the file's own (JPEG Lossless) transfer syntax only when asked to.
        await ChildProcess.RunAsync(storescu, ["-aet", Clinic, "-aec", "REMOTEDX", "-xs", "127.0.0.1", Port(Server.DicomPort), path],
            timeout: TimeSpan.FromSeconds(60));
        await WaitForDeliveriesAsync(TimeSpan.FromMinutes(3));
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Every result reached the PACS and the down one has a failed attempt behind it (bounded; the failure
    /// shows the deliveries and serve's output).</summary>
    private async Task WaitForDeliveriesAsync(TimeSpan timeout)
    {
        using var api = await ApiClient.SignInAsync(Server.BaseUrl, Radiologist);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var deliveries = (await api.GetJsonAsync($"api/studies/{StudyUid}")).GetProperty("deliveries").EnumerateArray().ToList();
            var toPacs = deliveries.Where(d => d.GetProperty("destination").GetString() == PacsDestination).ToList();
            var toDown = deliveries.Where(d => d.GetProperty("destination").GetString() == DownDestination).ToList();
            if (toPacs.Count > 0 && toPacs.All(d => Status(d) == "sent") && toDown.Count > 0
                && toDown.All(d => Status(d) == "pending" && d.GetProperty("attempts").GetInt32() >= 1))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"deliveries not sent/pending in {timeout.TotalSeconds:0} s: " +
                    string.Join("; ", deliveries.Select(d => d.GetRawText())) + "\n" + Server.Output + _pacs?.Output);
            }
            await Task.Delay(250);
        }
    }

    private static string? Status(JsonElement d) => d.GetProperty("status").GetString();

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        _pacs?.Dispose();
        _root.Dispose();
    }
}
