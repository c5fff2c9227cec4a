using RemoteDx.Testing;

namespace RemoteDx.Cli.Tests;

/// <summary>`remotedx users add --clinic`: a clinic is named as the allow-list names it (issue 18: names longer than an
/// AE title, with spaces), under the same rule the admin API applies (AccountRules).</summary>
public sealed class UsersClinicNameTests
{
    [Fact]
    public async Task A_clinic_name_with_spaces_longer_than_an_AE_title_is_accepted_and_listed_as_given()
    {
        using var dir = new TempDirectory("users-clinic");
        const string Clinic = "North Valley Imaging Centre (East Wing)";
        var (code, output) = await RemoteDxUsers.RunAsync(
            ["add", "nv_desk", "--role", "clinic", "--clinic", Clinic, "--clinic", "CLINIC_B", "--password-stdin", "--data", dir], "a long passphrase");
        Assert.True(code == 0, output);
        Assert.Equal($"user nv_desk added (clinic: {Clinic},CLINIC_B)", output.Trim());
        var (_, stdout, _) = await RemoteDxCommand.RunAsync("users", "list", "--data", dir);
        Assert.Equal($"nv_desk\tclinic\t{Clinic},CLINIC_B", stdout.Trim());
    }

    [Theory]
    [InlineData("A\\B", "backslash")]
    [InlineData(" Leading space", "does not start or end with a space")]
    [InlineData("   ", "1-64 characters")]
    [InlineData("A clinic name that is much longer than sixty-four characters, which is the limit", "1-64 characters")]
    public async Task A_clinic_name_the_rule_refuses_exits_2_with_the_reason_and_adds_no_user(string clinic, string reason)
    {
        using var dir = new TempDirectory("users-clinic");
        var (code, output) = await RemoteDxUsers.RunAsync(
            ["add", "bad_desk", "--role", "clinic", "--clinic", clinic, "--password-stdin", "--data", dir], "a long passphrase");
        Assert.Equal(2, code);
        Assert.Contains(reason, output, StringComparison.Ordinal);
        var (_, stdout, _) = await RemoteDxCommand.RunAsync("users", "list", "--data", dir);
        Assert.DoesNotContain("bad_desk", stdout, StringComparison.Ordinal);
    }
}
