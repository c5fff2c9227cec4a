using System.Net;
using System.Security.Cryptography.X509Certificates;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>The web server over https (issue 13): certificate and key from RemoteDx:Web, HSTS and a Secure cookie.</summary>
public sealed class HttpsTests
{
    private const string Password = "correct horse 2";

    [Fact]
    public async Task Serve_on_https_sends_HSTS_marks_the_session_cookie_Secure_and_plain_http_on_its_port_gets_nowhere()
    {
        var dir = TempDirectory.ForTestRun("rdx-https");
        try
        {
            var (cert, key) = SelfSignedCertificate.Create(dir);
            var data = Path.Combine(dir, "data");
            await RemoteDxUsers.AddAsync(data, "rad", "radiologist", Password);
            using var certificate = X509Certificate2.CreateFromPemFile(cert, key);
            await using var serve = await RemoteDxServe.StartAsync(data, new Dictionary<string, string>
            {
                ["RemoteDx__Scoring__Workers"] = "0",
                ["RemoteDx__Web__TlsCertificate"] = cert,
                ["RemoteDx__Web__TlsKey"] = key,
            }, certificate);
            Assert.Equal("https", serve.BaseUrl.Scheme);

            using var c = new ApiClient(serve.BaseUrl, serve.CreateHandler());
            using (var health = await c.Http.GetAsync("healthz"))
            {
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
                Assert.Equal("max-age=31536000", Assert.Single(health.Headers.GetValues("Strict-Transport-Security")));
            }
            using (var login = await c.LoginAsync("rad", Password))
            {
                Assert.Equal(HttpStatusCode.OK, login.StatusCode);
                Assert.Equal("max-age=31536000", Assert.Single(login.Headers.GetValues("Strict-Transport-Security")));
                var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), v => v.StartsWith("rdx_session=", StringComparison.Ordinal));
                Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
            }
            Assert.Equal("rad", (await c.GetJsonAsync("api/me")).GetProperty("username").GetString());

            // Plain http on the https port: no answer, only a failed connection.
            using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var plainUrl = new UriBuilder(serve.BaseUrl) { Scheme = "http", Port = serve.HttpPort, Path = "healthz" }.Uri;
            await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync(plainUrl));

            // A client that does not trust the certificate gets no further than the handshake.
            using var untrusting = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(new Uri(serve.BaseUrl, "healthz")));
        }
        finally
        {
            TempDirectory.TryDelete(dir);
        }
    }

    [Theory]
    [InlineData("https://127.0.0.1:0", null, "RemoteDx:HttpUrl is https but RemoteDx:Web:TlsCertificate and TlsKey")]
    [InlineData("http://127.0.0.1:0", "server.pem", "RemoteDx:Web:TlsCertificate/TlsKey are set but RemoteDx:HttpUrl is plain http")]
    public async Task An_https_url_without_a_web_certificate_or_a_certificate_beside_plain_http_is_a_start_up_error_on_one_line(
        string url, string? certificateFile, string expected)
    {
        var dir = TempDirectory.ForTestRun("rdx-https-config");
        try
        {
            var env = new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1" };
            if (certificateFile is not null)
            {
                var (cert, key) = SelfSignedCertificate.Create(dir);
                env["RemoteDx__Web__TlsCertificate"] = cert;
                env["RemoteDx__Web__TlsKey"] = key;
            }
            using var serve = ChildProcess.Start(RemoteDxCommand.Path,
                ["serve", "--data", Path.Combine(dir, "data"), "--dicom-port", "0", "--http-url", url], env);
            var code = await serve.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(2, code);
            var line = Assert.Single(serve.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("remotedx: invalid configuration: " + expected, line, StringComparison.Ordinal);
        }
        finally
        {
            TempDirectory.TryDelete(dir);
        }
    }
}
