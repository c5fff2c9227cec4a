using System.Net;
using System.Text.Json;
using RemoteDx.Browser.Tests.Support;

namespace RemoteDx.Browser.Tests;

/// <summary>GET /api/worklist's search, sort and filter parameters (docs/api.md), on the worklist fixture's serve.</summary>
[Collection("worklist")]
public sealed class WorklistApiTests(WorklistFixture fx)
{
    private static async Task<(HttpStatusCode Status, List<string> Uids, string Body)> GetAsync(ApiClient api, string query, string? search = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/worklist?pageSize=500" + query);
        if (search is not null)
        {
            request.Headers.Add("X-RemoteDx-Search", Uri.EscapeDataString(search));
        }
        using var r = await api.Http.SendAsync(request);
        var body = await r.Content.ReadAsStringAsync();
        var uids = r.IsSuccessStatusCode
            ? JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("studyInstanceUid").GetString()!).ToList()
            : [];
        return (r.StatusCode, uids, body);
    }

    [Fact]
    public async Task Search_text_comes_in_a_header_and_is_refused_in_the_URL()
    {
        using var api = await ApiClient.SignInAsync(fx.BaseUrl, fx.Radiologist);
        Assert.Equal([fx.StudyByPatientId["WL-MUL-1"]], (await GetAsync(api, "", "Müller JOSE")).Uids);
        Assert.Equal([fx.StudyByPatientId["WL-CHN-4"]], (await GetAsync(api, "", "小明")).Uids);
        foreach (var bad in new[] { "&q=muller", "&search=muller" })
        {
            var (status, _, body) = await GetAsync(api, bad);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("X-RemoteDx-Search", body, StringComparison.Ordinal);
        }
        using var badEncoding = new HttpRequestMessage(HttpMethod.Get, "api/worklist");
        badEncoding.Headers.Add("X-RemoteDx-Search", "%E0%A4%A");
        Assert.Equal(HttpStatusCode.BadRequest, (await api.Http.SendAsync(badEncoding)).StatusCode);
    }

    [Fact]
    public async Task A_clinic_user_searching_for_another_clinics_patient_finds_nothing()
    {
        using var api = await ApiClient.SignInAsync(fx.BaseUrl, fx.ClinicUser);
        Assert.Empty((await GetAsync(api, "", "muller")).Uids);
        Assert.Empty((await GetAsync(api, "&clinic=northside", null)).Uids);
        Assert.Equal([fx.StudyByPatientId["WL-ARA-3"]], (await GetAsync(api, "", "محمد")).Uids);
    }

    [Fact]
    public async Task Sorts_directions_and_filters_are_checked_and_applied()
    {
        using var api = await ApiClient.SignInAsync(fx.BaseUrl, fx.Radiologist);
        var asc = (await GetAsync(api, "&sort=patient&dir=asc")).Uids;
        var desc = (await GetAsync(api, "&sort=patient&dir=desc")).Uids;
        Assert.True(asc.Count >= 26);
        Assert.Equal(asc, desc.AsEnumerable().Reverse());
        Assert.Equal(fx.StudyByPatientId["WL-AER-2"], asc[0]);
        foreach (var bad in new[] { "&sort=name", "&dir=up", "&unreviewed=yes" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(api, bad)).Status);
        }
        Assert.DoesNotContain(fx.ReviewedStudy, (await GetAsync(api, "&unreviewed=true")).Uids);
        Assert.Contains(fx.ReviewedStudy, (await GetAsync(api, "&unreviewed=false")).Uids);
        var byName = (await GetAsync(api, "&clinic=northside")).Uids;
        var byAe = (await GetAsync(api, "&clinic=clinic_a")).Uids;
        Assert.NotEmpty(byName);
        Assert.Equal(byName, byAe);
        Assert.Contains(fx.StudyByPatientId["WL-MUL-1"], byName);
        Assert.DoesNotContain(fx.StudyByPatientId["WL-ARA-3"], byName);
    }
}
