using System.Globalization;
using System.Net;
using System.Text.Json;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Hl7.Fhir.Serialization;
using RemoteDx.Dicom;

namespace RemoteDx.Interop.Tests;

/// <summary>GET /api/studies/{uid}/fhir through a real `remotedx serve`: a FHIR R4 Bundle the Firely SDK parses strictly,
/// preliminary before review and final after, one Observation per finding, in the study endpoint's scope.</summary>
public sealed class FhirReportTests : IDisposable
{
    private const string Password = "correct horse 1";
    private static readonly JsonSerializerOptions Strict = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).UsingMode(DeserializationMode.Strict);
    private readonly string _root = TempDirectory.ForTestRun("fhir");

    public void Dispose() => TempDirectory.TryDelete(_root);

    [Fact]
    public async Task The_FHIR_bundle_is_a_valid_preliminary_DiagnosticReport_with_one_Observation_per_finding_and_final_after_review()
    {
        var data = Path.Combine(_root, "data");
        await RemoteDxUsers.AddAsync(data, "dr_lee", "radiologist", Password);
        await RemoteDxUsers.AddAsync(data, "clinic_b", "clinic", Password, ["CLINIC_B"]);
        await using var serve = await RemoteDxServe.StartAsync(data);
        var sample = Path.Combine(Repo.Root, "sample-dicom", "clinic-a/pneumothorax-pa.dcm");
        var file = DicomFile.Open(sample);
        var study = file.Dataset.GetString(Tag.StudyInstanceUID)!;
        string[] propose = file.TransferSyntax.Uid == "1.2.840.10008.1.2.4.70" ? ["-xs"] : [];
        using (var send = ChildProcess.Start(Tool.Require("storescu"), ["-aet", "CLINIC_A", "-aec", "REMOTEDX", .. propose, "127.0.0.1",
            serve.DicomPort.ToString(CultureInfo.InvariantCulture), sample]))
        {
            await send.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(send.ExitCode == 0, send.Output);
        }
        using var api = new ApiClient(serve.BaseUrl);
        using (var login = await api.LoginAsync("dr_lee", Password))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await api.GetJsonAsync($"api/studies/{study}")).GetProperty("status").GetString() == "scoring")
        {
            Assert.True(DateTime.UtcNow < deadline, "not scored in time:\n" + serve.Output);
            await Task.Delay(200);
        }

        var bundle = await BundleAsync(api, study);
        var report = bundle.Entry.Select(e => e.Resource).OfType<DiagnosticReport>().Single();
        Assert.Equal(DiagnosticReport.DiagnosticReportStatus.Preliminary, report.Status);
        var observations = bundle.Entry.Select(e => e.Resource).OfType<Observation>().ToList();
        var findings = (await api.GetJsonAsync($"api/studies/{study}")).GetProperty("series").EnumerateArray()
            .SelectMany(s => s.GetProperty("instances").EnumerateArray()).SelectMany(i => i.GetProperty("findings").EnumerateArray()).ToList();
        Assert.NotEmpty(findings);
        Assert.Equal(findings.Count, observations.Count);
        Assert.Equal(observations.Count, report.Result.Count);
        Assert.All(report.Result, r => Assert.Contains(bundle.Entry, e => e.FullUrl == r.Reference && e.Resource is Observation));
        Assert.All(observations, o => Assert.Equal(ObservationStatus.Preliminary, o.Status));
        Assert.Contains(observations, o => o.Interpretation.Single().Coding.Single().Code == "POS");
        var imaging = bundle.Entry.Single(e => e.Resource is ImagingStudy);
        Assert.Equal(imaging.FullUrl, report.ImagingStudy.Single().Reference);
        Assert.Equal("urn:oid:" + study, Assert.IsType<ImagingStudy>(imaging.Resource).Identifier.Single().Value);

        using (var reviewed = await api.PostAsync($"api/studies/{study}/reviewed"))
        {
            Assert.Equal(HttpStatusCode.OK, reviewed.StatusCode);
        }
        bundle = await BundleAsync(api, study);
        report = bundle.Entry.Select(e => e.Resource).OfType<DiagnosticReport>().Single();
        Assert.Equal(DiagnosticReport.DiagnosticReportStatus.Final, report.Status);
        Assert.Equal("dr_lee", report.ResultsInterpreter.Single().Display);
        Assert.All(bundle.Entry.Select(e => e.Resource).OfType<Observation>(), o => Assert.Equal(ObservationStatus.Final, o.Status));

        // Same scope as the study: another clinic's user does not see it.
        using var other = new ApiClient(serve.BaseUrl);
        using (var login = await other.LoginAsync("clinic_b", Password))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
        var (status, _) = await other.GetAsync($"api/studies/{study}/fhir");
        Assert.Equal(HttpStatusCode.NotFound, status);
        using var anonymous = new ApiClient(serve.BaseUrl);
        var (anonymousStatus, _) = await anonymous.GetAsync($"api/studies/{study}/fhir");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousStatus);
    }

    private static async Task<Bundle> BundleAsync(ApiClient api, string study)
    {
        using var response = await api.Http.GetAsync($"api/studies/{study}/fhir");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.Content.ReadAsStringAsync();
        // The SDK's strict parser refuses anything that is not valid FHIR R4 JSON (unknown elements, wrong types, bad codes).
        var bundle = JsonSerializer.Deserialize<Bundle>(json, Strict)!;
        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        return bundle;
    }
}
