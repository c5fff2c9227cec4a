using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RemoteDx.Browser.Tests.Support;

/// <summary>A signed-in HTTP client for the API (docs/api.md): the tests compare what the page shows with what the API
/// says, and set up and check state without the browser.</summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;
    private string? _csrf;

    public ApiClient(Uri baseUrl)
    {
        _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public static async Task<ApiClient> SignInAsync(Uri baseUrl, TestUser user)
    {
        var api = new ApiClient(baseUrl);
        using var r = await api._http.PostAsJsonAsync("api/login", new { username = user.Name, password = user.Password });
        if (r.StatusCode != HttpStatusCode.OK)
        {
            api.Dispose();
            throw new InvalidOperationException($"login as {user.Name}: HTTP {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        }
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        api._csrf = doc.RootElement.GetProperty("csrfToken").GetString();
        return api;
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using var r = await _http.GetAsync(path);
        var text = await r.Content.ReadAsStringAsync();
        var body = text.Length > 0 && (r.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) ?? false)
            ? JsonDocument.Parse(text).RootElement.Clone()
            : default;
        return (r.StatusCode, body);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var (status, body) = await GetAsync(path);
        return status == HttpStatusCode.OK ? body : throw new InvalidOperationException($"GET {path}: HTTP {(int)status}");
    }

    public async Task<HttpStatusCode> PostAsync(string path, object body)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        req.Headers.Add("X-CSRF-Token", _csrf);
        using var r = await _http.SendAsync(req);
        return r.StatusCode;
    }

    /// <summary>The worklist's study UIDs in the API's rank order (first page, as the viewer asks for it).</summary>
    public async Task<List<string>> WorklistOrderAsync(int pageSize = 50)
    {
        var list = await GetJsonAsync($"api/worklist?pageSize={pageSize}");
        return list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("studyInstanceUid").GetString()!).ToList();
    }

    public void Dispose() => _http.Dispose();
}

public sealed record TestUser(string Name, string Password, string Role, string? Clinic);
