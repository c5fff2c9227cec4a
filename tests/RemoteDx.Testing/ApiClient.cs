using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RemoteDx.Testing;

/// <summary>A browser's view of the HTTP API (docs/api.md): a cookie jar, and the CSRF token from login sent on every
/// POST. Tests set up and check state with it, and compare what a page shows with what the API says.</summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(Uri baseAddress)
        : this(baseAddress, new HttpClientHandler())
    {
    }

    /// <summary>Over <paramref name="handler"/> (e.g. <see cref="RemoteDxServe.CreateHandler"/> for https), which this
    /// client owns and gives its cookie jar.</summary>
    public ApiClient(Uri baseAddress, HttpClientHandler handler)
    {
        Cookies = new CookieContainer();
        handler.CookieContainer = Cookies;
        handler.UseCookies = true;
        _http = new HttpClient(handler)
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public CookieContainer Cookies { get; }

    public string? CsrfToken { get; set; }

    public HttpClient Http => _http;

    /// <summary>A client signed in as <paramref name="user"/>; throws when login fails.</summary>
    public static async Task<ApiClient> SignInAsync(Uri baseAddress, TestUser user)
    {
        var api = new ApiClient(baseAddress);
        using var r = await api.LoginAsync(user.Name, user.Password);
        if (r.StatusCode != HttpStatusCode.OK)
        {
            api.Dispose();
            throw new InvalidOperationException($"login as {user.Name}: HTTP {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        }
        return api;
    }

    /// <summary>POST /api/login; on success keeps the session cookie and the CSRF token.</summary>
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

    /// <summary>GET; the body parsed when it is JSON, else default.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using var r = await _http.GetAsync(path);
        var text = await r.Content.ReadAsStringAsync();
        var body = text.Length > 0 && (r.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) ?? false)
            ? JsonDocument.Parse(text).RootElement.Clone()
            : default;
        return (r.StatusCode, body);
    }

    /// <summary>GET a JSON body; throws with the body unless the status is <paramref name="expect"/>.</summary>
    public async Task<JsonElement> GetJsonAsync(string path, HttpStatusCode expect = HttpStatusCode.OK)
    {
        using var r = await _http.GetAsync(path);
        var body = await r.Content.ReadAsStringAsync();
        if (r.StatusCode != expect)
        {
            throw new InvalidOperationException($"GET {path}: expected {(int)expect}, got {(int)r.StatusCode} {body}");
        }
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>POST a JSON body, with the CSRF token unless <paramref name="csrf"/> is false.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, object? body = null, bool csrf = true) => SendAsync(HttpMethod.Post, path, body, csrf);

    /// <summary>A state-changing request (POST, PUT, PATCH, DELETE, ...) with a JSON body (an empty object when none is
    /// given) and, unless <paramref name="csrf"/> is false, the CSRF token.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, bool csrf = true)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body ?? new { }) };
        if (csrf && CsrfToken is not null)
        {
            request.Headers.Add("X-CSRF-Token", CsrfToken);
        }
        return _http.SendAsync(request);
    }

    /// <summary>The worklist's study UIDs in the API's rank order (first page, as the viewer asks for it).</summary>
    public async Task<List<string>> WorklistOrderAsync(int pageSize = 50)
    {
        var list = await GetJsonAsync($"api/worklist?pageSize={pageSize}");
        return list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("studyInstanceUid").GetString()!).ToList();
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A user made with `remotedx users add` for a test.</summary>
public sealed record TestUser(string Name, string Password, string Role, string? Clinic);
