using System.Net;

namespace RemoteDx.Interop.Tests.Support;

/// <summary>One `remotedx serve` with accounts made by `remotedx users add` and one new study per clinic, shared by a
/// test class. Subclasses name the accounts and the serve settings; the rest (sending studies, signing in, cleaning
/// up) is here once.</summary>
public abstract class ServeWithStudiesFixture(string prefix, string password) : IAsyncLifetime
{
    /// <summary>Every account's password.</summary>
    public string UserPassword { get; } = password;

    public string Root { get; } = TempDirectory.ForTestRun(prefix);

    public RemoteDxServe Serve { get; private set; } = null!;

    /// <summary>Study UIDs in the order they were sent: CLINIC_A's first, then CLINIC_B's.</summary>
    public List<string> Studies { get; } = [];

    public Dictionary<string, string> SopOfStudy { get; } = new(StringComparer.Ordinal);

    /// <summary>The accounts to create before serve starts: (name, role, clinics).</summary>
    protected abstract IEnumerable<(string Name, string Role, string[] Clinics)> Users { get; }

    /// <summary>serve's settings (environment variables).</summary>
    protected abstract IDictionary<string, string> Settings { get; }

    public async Task InitializeAsync()
    {
        var data = Path.Combine(Root, "data");
        foreach (var (name, role, clinics) in Users)
        {
            await RemoteDxUsers.AddAsync(data, name, role, UserPassword, clinics);
        }
        Serve = await RemoteDxServe.StartAsync(data, Settings);
        foreach (var clinic in new[] { "CLINIC_A", "CLINIC_B" })
        {
            await SendNewStudyAsync(clinic);
        }
    }

    /// <summary>Sends CT_small as a new study from <paramref name="callingAe"/>; returns its Study Instance UID.</summary>
    public async Task<string> SendNewStudyAsync(string callingAe)
    {
        var (study, sop) = await Samples.SendNewStudyAsync(Serve, Path.Combine(Root, "files"), callingAe);
        lock (Studies)
        {
            Studies.Add(study);
            SopOfStudy[study] = sop;
        }
        return study;
    }

    public async Task<ApiClient> LoginAsync(string user)
    {
        var c = new ApiClient(Serve.BaseUrl);
        using var r = await c.LoginAsync(user, UserPassword);
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"login {user}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return c;
    }

    public async Task DisposeAsync()
    {
        if (Serve is not null)
        {
            await Serve.DisposeAsync();
        }
        TempDirectory.TryDelete(Root);
    }
}
