using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RemoteDx.Interop.Tests.Support;

/// <summary>A browser's view of the API: a cookie jar, and the CSRF token from login sent on every POST.</summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(Uri baseAddress)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, UseCookies = true })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public CookieContainer Cookies { get; }

    public string? CsrfToken { get; set; }

    public HttpClient Http => _http;

    public async Task<HttpResponseMessage> LoginAsync(string username, string password)
    {
        var r = await _http.PostAsJsonAsync("api/login", new { username, password });
        if (r.IsSuccessStatusCode)
        {
            using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
            CsrfToken = doc.RootElement.GetProperty("csrfToken").GetString();
        }
        return r;
    }

    public async Task<JsonElement> GetJsonAsync(string path, HttpStatusCode expect = HttpStatusCode.OK)
    {
        using var r = await _http.GetAsync(path);
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == expect, $"GET {path}: {(int)r.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public Task<HttpResponseMessage> PostAsync(string path, object? body = null, bool csrf = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        if (csrf && CsrfToken is not null)
        {
            request.Headers.Add("X-CSRF-Token", CsrfToken);
        }
        return _http.SendAsync(request);
    }

    public void Dispose() => _http.Dispose();
}
