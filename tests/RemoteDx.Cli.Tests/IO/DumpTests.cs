using System.Globalization;
using System.Text.Json;
using RemoteDx.Testing;

namespace RemoteDx.Cli.Tests.IO;

public sealed class DumpTests
{
    private const string PydicomJson = """
        import sys, json, pydicom
        ds = pydicom.dcmread(sys.argv[1], force=True)
        print(json.dumps(ds.to_json_dict(bulk_data_threshold=1 << 30)))
        """;

    [Theory]
    [InlineData("test_files/rtplan.dcm")]
    [InlineData("test_files/rtstruct.dcm")]
    [InlineData("test_files/CT_small.dcm")]
    [InlineData("test_files/MR_small_implicit.dcm")]
    [InlineData("test_files/nested_priv_SQ.dcm")]
    [InlineData("charset_files/chrH31.dcm")]
    [InlineData("charset_files/chrI2.dcm")]
    [InlineData("charset_files/chrX1.dcm")]
    [InlineData("charset_files/chrRuss.dcm")]
    public void Dump_json_matches_pydicom_to_json(string relative)
    {
        var path = Path.Combine(Path.GetDirectoryName(Tool.PydicomTestFiles)!, relative);
        var expected = Tool.PythonOk(PydicomJson, path);
        var (code, stdout, stderr) = RemoteDxCommand.Run("dump", path, "--json");
        Assert.True(code == 0, stderr);
        using var ours = JsonDocument.Parse(stdout);
        using var theirs = JsonDocument.Parse(expected);
        var diffs = new List<string>();
        Compare(theirs.RootElement, ours.RootElement, "", diffs);
        Assert.True(diffs.Count == 0, string.Join("\n", diffs.Take(20)));
    }

    [Theory]
    [InlineData("CT_small.dcm")]
    [InlineData("MR_small_implicit.dcm")]
    [InlineData("rtplan.dcm")]
    public void Dump_text_lists_the_same_elements_as_dcmdump(string name)
    {
        var path = Path.Combine(Tool.PydicomTestFiles, name);
        var reference = Tool.RunOk("dcmdump", "-q", "+L", path);
        var (code, stdout, stderr) = RemoteDxCommand.Run("dump", path);
        Assert.True(code == 0, stderr);
        static List<string> TagsAndVRs(string dump) => dump.Split('\n')
            .Select(l => l.TrimStart().ToUpperInvariant())
            .Where(l => l.StartsWith('(') && !l.StartsWith("(FFFE", StringComparison.Ordinal))
            .Select(l => l[..14])
            .ToList();
        Assert.Equal(TagsAndVRs(reference), TagsAndVRs(stdout));
        // String values appear identically.
        foreach (var line in reference.Split('\n').Where(l => l.Contains(" [", StringComparison.Ordinal) && l.TrimStart().StartsWith('(')))
        {
            var value = line[line.IndexOf('[', StringComparison.Ordinal)..(line.LastIndexOf(']') + 1)];
            Assert.Contains(value, stdout, StringComparison.Ordinal);
        }
    }

    private static void Compare(JsonElement expected, JsonElement actual, string path, List<string> diffs)
    {
        if (expected.ValueKind == JsonValueKind.Number && actual.ValueKind == JsonValueKind.Number)
        {
            if (Math.Abs(expected.GetDouble() - actual.GetDouble()) > 1e-9 * Math.Max(1, Math.Abs(expected.GetDouble())))
            {
                diffs.Add($"{path}: {expected} vs {actual}");
            }
            return;
        }
        // pydicom writes an empty value inside a multi-valued element as ""; PS3.18 F.2.5 says null.
        if (expected.ValueKind == JsonValueKind.String && expected.GetString() == "" && actual.ValueKind == JsonValueKind.Null)
        {
            return;
        }
        if (expected.ValueKind != actual.ValueKind)
        {
            diffs.Add($"{path}: {expected.ValueKind} {expected} vs {actual.ValueKind} {actual}");
            return;
        }
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var names = expected.EnumerateObject().Select(p => p.Name).Union(actual.EnumerateObject().Select(p => p.Name));
                foreach (var n in names)
                {
                    var hasE = expected.TryGetProperty(n, out var e);
                    var hasA = actual.TryGetProperty(n, out var a);
                    if (hasE != hasA)
                    {
                        diffs.Add($"{path}/{n}: {(hasE ? "missing in ours" : "extra in ours")}");
                    }
                    else
                    {
                        Compare(e, a, path + "/" + n, diffs);
                    }
                }
                break;
            case JsonValueKind.Array:
                var ea = expected.EnumerateArray().ToList();
                var aa = actual.EnumerateArray().ToList();
                if (ea.Count != aa.Count)
                {
                    diffs.Add($"{path}: {ea.Count} values vs {aa.Count}");
                    break;
                }
                for (var i = 0; i < ea.Count; i++)
                {
                    Compare(ea[i], aa[i], path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", diffs);
                }
                break;
            default:
                if (expected.ToString() != actual.ToString())
                {
                    diffs.Add($"{path}: '{expected}' vs '{actual}'");
                }
                break;
        }
    }
}
