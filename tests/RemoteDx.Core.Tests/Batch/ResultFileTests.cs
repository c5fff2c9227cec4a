using System.Text;
using RemoteDx.Core.Batch;
using RemoteDx.Core.Inference;
using RemoteDx.Testing;

namespace RemoteDx.Core.Tests.Batch;

public sealed class ResultFileTests
{
    private static BatchResult Scored(string path, params float[] probabilities) => new(path, BatchStatus.Scored,
        [new ModelScore("m", "1", "abc", probabilities.Select((p, i) => new LabelScore($"l{i}", p, p >= 0.5f, 0.5f, 1, i == 0)).ToList(),
            [], new InputPlacement(0, 0, 1, 1))], "1.2.3", "1.2");

    private static List<List<string>> Rows(string path)
    {
        using var s = File.OpenRead(path);
        return Csv.Read(s).Select(r => r.Fields).ToList();
    }

    [Fact]
    public void CSV_rows_round_trip_paths_with_commas_quotes_and_line_breaks()
    {
        var file = Path.Combine(TempDirectory.ForTestRun(), "out.csv");
        var odd = "/data/a,b \"c\"\nd.dcm";
        using (var w = ResultFile.Open(file, false, out _))
        {
            w.Write(Scored(odd, 0.25f, 0.75f));
            w.Write(new BatchResult("/x.dcm", BatchStatus.Error, [], Error: "bad, \"very\" bad"));
            w.Write(new BatchResult("/y.dcm", BatchStatus.NotApplicable, [], "9.9"));
        }
        var rows = Rows(file);
        Assert.Equal(CsvResultWriter.Columns, rows[0]);
        Assert.Equal(5, rows.Count);
        Assert.Equal([odd, "1.2.3", "m", "l0", "0.25", "false", ""], rows[1].Take(7));
        Assert.Equal("true", rows[2][5]);
        Assert.Equal(["/x.dcm", "", "", "", "", "", "bad, \"very\" bad"], rows[3].Take(7));
        Assert.Equal("error", rows[3][^1]);
        Assert.Equal(["/y.dcm", "9.9", "", ""], rows[4].Take(4));
        Assert.Equal("not-applicable", rows[4][^1]);
    }

    [Fact]
    public void Resuming_a_CSV_cut_mid_row_drops_the_last_file_and_keeps_the_others()
    {
        var file = Path.Combine(TempDirectory.ForTestRun(), "out.csv");
        using (var w = ResultFile.Open(file, false, out _))
        {
            w.Write(Scored("/a.dcm", 0.1f, 0.2f));
            w.Write(Scored("/b.dcm", 0.3f, 0.4f));
            w.Write(Scored("/c.dcm", 0.5f, 0.6f));
        }
        // Cut in the middle of c's second row, as a kill could.
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..^10]);
        using (var w = ResultFile.Open(file, true, out var done))
        {
            Assert.Equal(["/a.dcm", "/b.dcm"], done.Order());
            w.Write(Scored("/c.dcm", 0.5f, 0.6f));
        }
        Assert.Equal(File.ReadAllBytes(file), bytes);
    }

    [Fact]
    public void Resuming_a_CSV_cut_at_a_row_boundary_still_rewrites_the_last_file()
    {
        var file = Path.Combine(TempDirectory.ForTestRun(), "out.csv");
        using (var w = ResultFile.Open(file, false, out _))
        {
            w.Write(Scored("/a.dcm", 0.1f, 0.2f));
            w.Write(Scored("/b.dcm", 0.3f, 0.4f));
        }
        var full = File.ReadAllText(file);
        // Only b's first row made it.
        File.WriteAllText(file, full[..(full.LastIndexOf("/b.dcm", StringComparison.Ordinal))] + full.Split('\n')[3] + "\n");
        using (var w = ResultFile.Open(file, true, out var done))
        {
            Assert.Equal(["/a.dcm"], done);
            w.Write(Scored("/b.dcm", 0.3f, 0.4f));
        }
        Assert.Equal(full, File.ReadAllText(file));
    }

    [Fact]
    public void Resuming_an_empty_or_header_only_CSV_starts_with_one_header()
    {
        var dir = TempDirectory.ForTestRun();
        var file = Path.Combine(dir, "out.csv");
        File.WriteAllText(file, "");
        using (var w = ResultFile.Open(file, true, out var done))
        {
            Assert.Empty(done);
        }
        using (var w = ResultFile.Open(file, true, out var done))
        {
            Assert.Empty(done);
            w.Write(Scored("/a.dcm", 0.1f));
        }
        var rows = Rows(file);
        Assert.Equal(2, rows.Count);
        Assert.Equal("path", rows[0][0]);
    }

    [Fact]
    public void Resuming_into_a_file_that_is_not_a_score_output_is_refused()
    {
        var file = Path.Combine(TempDirectory.ForTestRun(), "out.csv");
        File.WriteAllText(file, "name,age\nx,1\n");
        Assert.Throws<InvalidDataException>(() => ResultFile.Open(file, true, out _).Dispose());
        Assert.Equal("name,age\nx,1\n", File.ReadAllText(file));
    }

    [Fact]
    public void Resuming_JSON_Lines_drops_a_cut_last_line_only()
    {
        var file = Path.Combine(TempDirectory.ForTestRun(), "out.json");
        using (var w = ResultFile.Open(file, false, out _))
        {
            w.Write(Scored("/a.dcm", 0.1f));
            w.Write(new BatchResult("/b.dcm", BatchStatus.Error, [], Error: "broken"));
            w.Write(Scored("/c.dcm", 0.3f));
        }
        var full = File.ReadAllBytes(file);
        File.WriteAllBytes(file, full[..^7]);
        using (var w = ResultFile.Open(file, true, out var done))
        {
            Assert.Equal(["/a.dcm", "/b.dcm"], done.Order());
            w.Write(Scored("/c.dcm", 0.3f));
        }
        Assert.Equal(full, File.ReadAllBytes(file));
        var lines = Encoding.UTF8.GetString(full).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("\"status\":\"error\",\"error\":\"broken\"", lines[1], StringComparison.Ordinal);
    }
}
