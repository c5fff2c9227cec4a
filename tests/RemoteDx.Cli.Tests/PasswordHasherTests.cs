using Microsoft.AspNetCore.Identity;
using RemoteDx.Core.Security;
using IdentityHasher = Microsoft.AspNetCore.Identity.PasswordHasher<string>;
using PasswordHasher = RemoteDx.Core.Security.PasswordHasher;

namespace RemoteDx.Cli.Tests;

/// <summary>Accounts created before hashing moved to Core (by ASP.NET Core Identity's PasswordHasher) still log in, and
/// ours stay readable by it: the stored format is the same. Here because this project already has the ASP.NET Core
/// framework (through the executable) that holds the reference implementation.</summary>
public sealed class PasswordHasherTests
{
    [Fact]
    public void A_hash_written_by_ASP_NET_Core_Identity_verifies()
    {
        var stored = new IdentityHasher().HashPassword("dr_lee", "a long passphrase");
        Assert.Equal(PasswordVerdict.Success, PasswordHasher.Verify(stored, "a long passphrase"));
        Assert.Equal(PasswordVerdict.Failed, PasswordHasher.Verify(stored, "a long passphrasE"));
    }

    [Fact]
    public void Our_hash_verifies_with_ASP_NET_Core_Identity_without_a_rehash()
    {
        var stored = PasswordHasher.Hash("a long passphrase");
        Assert.Equal(PasswordVerificationResult.Success, new IdentityHasher().VerifyHashedPassword("dr_lee", stored, "a long passphrase"));
        Assert.Equal(PasswordVerificationResult.Failed, new IdentityHasher().VerifyHashedPassword("dr_lee", stored, "wrong password"));
    }

    [Fact]
    public void Older_and_weaker_hashes_verify_and_ask_for_a_rehash()
    {
        var v2 = new IdentityHasher(Microsoft.Extensions.Options.Options.Create(
            new PasswordHasherOptions { CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV2 })).HashPassword("u", "a long passphrase");
        Assert.Equal(PasswordVerdict.SuccessRehashNeeded, PasswordHasher.Verify(v2, "a long passphrase"));
        Assert.Equal(PasswordVerdict.Failed, PasswordHasher.Verify(v2, "not it at all"));
        var fewIterations = new IdentityHasher(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = 1000 }))
            .HashPassword("u", "a long passphrase");
        Assert.Equal(PasswordVerdict.SuccessRehashNeeded, PasswordHasher.Verify(fewIterations, "a long passphrase"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AQ==")]
    [InlineData("AQAAAAIAAYagAAAAEA==")]
    [InlineData("AgAAAAIAAYagAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void A_malformed_hash_fails_without_throwing(string stored) =>
        Assert.Equal(PasswordVerdict.Failed, PasswordHasher.Verify(stored, "a long passphrase"));

    [Fact]
    public void Each_hash_has_its_own_salt() =>
        Assert.NotEqual(PasswordHasher.Hash("a long passphrase"), PasswordHasher.Hash("a long passphrase"));
}
