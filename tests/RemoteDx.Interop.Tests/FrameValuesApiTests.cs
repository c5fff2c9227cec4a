using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using RemoteDx.Interop.Tests.Support;

namespace RemoteDx.Interop.Tests;

/// <summary>serve with a radiologist and a clinic B user, CT_small from both clinics (the base fixture), and a 1024×1024
/// signed film written by pydicom (Imager Pixel Spacing, a nested sequence, a 1,000-character LT) from clinic A. pydicom
/// also writes the reference values: the stored values and their 2×2 box means (the 512 step).</summary>
public sealed class FrameValuesFixture() : ServeWithStudiesFixture("values", "values pw 1"), IAsyncLifetime
{
    public string FilmSop { get; private set; } = "";

    public string FilmStudy { get; private set; } = "";

    public string Reference { get; private set; } = "";

    protected override IEnumerable<(string Name, string Role, string[] Clinics)> Users =>
        [("dr_vals", "radiologist", []), ("clinic_b_vals", "clinic", ["CLINIC_B"])];

    protected override IDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RemoteDx__Scoring__Workers"] = "0",
        ["RemoteDx__Security__LoginPermitsPerMinute"] = "100000",
    };

    private const string MakeFilm = """
        import sys, numpy as np, pydicom
        from pydicom.dataset import Dataset
        from pydicom.sequence import Sequence
        src, out, ref, study, series, sop = sys.argv[1:7]
        ds = pydicom.dcmread(src)
        rng = np.random.default_rng(18)
        y, x = np.mgrid[0:1024, 0:1024]
        a = (x * 3 - y * 2 + rng.integers(-200, 200, (1024, 1024))).astype(np.int16)
        ds.Rows, ds.Columns = 1024, 1024
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.PixelData = a.tobytes()
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID = study, series, sop
        ds.file_meta.MediaStorageSOPInstanceUID = sop
        ds.RescaleSlope, ds.RescaleIntercept = 2, -100
        ds.ImagerPixelSpacing = [0.125, 0.125]
        del ds.PixelSpacing
        ds.ImageComments = 'x' * 1000
        item = Dataset(); item.CodeValue = 'T-D3000'; item.CodingSchemeDesignator = 'SRT'; item.CodeMeaning = 'Chest'
        ds.AnatomicRegionSequence = Sequence([item])
        ds.save_as(out)
        b = pydicom.dcmread(out)
        v = b.pixel_array.astype(np.int64)
        v.astype('<i2').tofile(ref + '/full.raw')
        m = v.reshape(512, 2, 512, 2).mean(axis=(1, 3))
        (np.sign(m) * np.floor(np.abs(m) + 0.5)).astype('<i2').tofile(ref + '/512.raw')
        print(str(b.PatientName), float(b.RescaleSlope), float(b.RescaleIntercept))
        """;

    public string FilmPatientName { get; private set; } = "";

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        var dir = Path.Combine(Root, "film");
        Directory.CreateDirectory(dir);
        Reference = dir;
        FilmStudy = Samples.NewUid();
        FilmSop = Samples.NewUid();
        var path = Path.Combine(dir, "film.dcm");
        var stdout = Tool.PythonOk(MakeFilm, Tool.PydicomTestFile("CT_small.dcm"), path, dir, FilmStudy, Samples.NewUid(), FilmSop);
        FilmPatientName = stdout.Split(' ')[0];
        using var p = ChildProcess.Start(RemoteDxCommand.Path, ["send", "127.0.0.1", Serve.DicomPort.ToString(CultureInfo.InvariantCulture), path,
            "--aet", "CLINIC_A", "--called-aet", "REMOTEDX"]);
        var code = await p.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(code == 0, $"send exited {code}: {p.Output}");
    }
}

/// <summary>GET /api/instances/{sop}/frames/{n}/values and /header (docs/api.md) through the real executable.</summary>
public sealed class FrameValuesApiTests(FrameValuesFixture fx) : IClassFixture<FrameValuesFixture>, IAsyncLifetime
{
    private ApiClient _radiologist = null!;

    public async Task InitializeAsync()
    {
        _radiologist = await fx.LoginAsync("dr_vals");
    }

    public Task DisposeAsync()
    {
        _radiologist.Dispose();
        return Task.CompletedTask;
    }

    private sealed record Values(JsonElement Meta, short[] Samples, string? Encoding, EntityTagHeaderValue? ETag);

    private static async Task<Values> GetValuesAsync(ApiClient c, string sop, string size, string? acceptEncoding = "br")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/instances/{sop}/frames/1/values?size={size}");
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }
        using var r = await c.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/octet-stream", r.Content.Headers.ContentType?.MediaType);
        var encoding = r.Content.Headers.ContentEncoding.SingleOrDefault();
        var body = await r.Content.ReadAsByteArrayAsync();
        body = encoding switch
        {
            "br" => Inflate(new BrotliStream(new MemoryStream(body), CompressionMode.Decompress)),
            "gzip" => Inflate(new GZipStream(new MemoryStream(body), CompressionMode.Decompress)),
            _ => body,
        };
        Assert.Equal("RDXV"u8.ToArray(), body[..4]);
        var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(4));
        var meta = JsonDocument.Parse(body.AsMemory(8, len)).RootElement.Clone();
        var offset = 8 + len + ((8 + len) & 1);
        int w = meta.GetProperty("width").GetInt32(), h = meta.GetProperty("height").GetInt32();
        Assert.Equal(offset + 2 * w * h, body.Length);
        // Undo the LOCO-I prediction (ISO 14495-1 A.4.1) from the two byte planes, on signed values as the header says.
        Assert.True(meta.GetProperty("signed").GetBoolean());
        Assert.Equal("med-planes", meta.GetProperty("predictor").GetString());
        var samples = new short[w * h];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var i = y * w + x;
                int p;
                if (y == 0)
                {
                    p = x == 0 ? 0 : samples[i - 1];
                }
                else if (x == 0)
                {
                    p = samples[i - w];
                }
                else
                {
                    int left = samples[i - 1], up = samples[i - w], corner = samples[i - w - 1];
                    p = corner >= Math.Max(left, up) ? Math.Min(left, up) : corner <= Math.Min(left, up) ? Math.Max(left, up) : left + up - corner;
                }
                samples[i] = (short)(p + (body[offset + i] | (body[offset + w * h + i] << 8)));
            }
        }
        return new Values(meta, samples, encoding, r.Headers.ETag);
    }

    private static byte[] Inflate(Stream s)
    {
        using (s)
        using (var ms = new MemoryStream())
        {
            s.CopyTo(ms);
            return ms.ToArray();
        }
    }

    private short[] Reference(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(fx.Reference, name));
        var r = new short[bytes.Length / 2];
        Buffer.BlockCopy(bytes, 0, r, 0, bytes.Length);
        return r;
    }

    [Fact]
    public async Task Full_size_values_are_pydicoms_stored_values_with_the_rescale_and_calibration_of_the_file()
    {
        var v = await GetValuesAsync(_radiologist, fx.FilmSop, "full");
        Assert.Equal("br", v.Encoding);
        var m = v.Meta;
        Assert.Equal((1024, 1024, 1024, 1024), (m.GetProperty("width").GetInt32(), m.GetProperty("height").GetInt32(),
            m.GetProperty("columns").GetInt32(), m.GetProperty("rows").GetInt32()));
        Assert.True(m.GetProperty("original").GetBoolean());
        Assert.True(m.GetProperty("signed").GetBoolean());
        Assert.Equal("grey16", m.GetProperty("samples").GetString());
        Assert.Equal((2.0, -100.0), (m.GetProperty("slope").GetDouble(), m.GetProperty("intercept").GetDouble()));
        Assert.Equal([0.125, 0.125], m.GetProperty("imagerPixelSpacing").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(JsonValueKind.Null, m.GetProperty("pixelSpacing").ValueKind);
        var reference = Reference("full.raw");
        Assert.Equal(reference, v.Samples);
        Assert.Equal(reference.Min(), m.GetProperty("min").GetInt32());
        Assert.Equal(reference.Max(), m.GetProperty("max").GetInt32());
    }

    [Fact]
    public async Task The_512_step_is_the_2x2_box_mean_and_says_it_is_not_the_original()
    {
        var v = await GetValuesAsync(_radiologist, fx.FilmSop, "512", "gzip");
        Assert.Equal("gzip", v.Encoding);
        Assert.Equal(512, v.Meta.GetProperty("width").GetInt32());
        Assert.Equal(1024, v.Meta.GetProperty("columns").GetInt32());
        Assert.False(v.Meta.GetProperty("original").GetBoolean());
        Assert.Equal(Reference("512.raw"), v.Samples);

        // Without Accept-Encoding the same values come uncompressed; 1024 and 2048 steps of a 1024 film are the original.
        var plain = await GetValuesAsync(_radiologist, fx.FilmSop, "512", null);
        Assert.Null(plain.Encoding);
        Assert.Equal(v.Samples, plain.Samples);
        var big = await GetValuesAsync(_radiologist, fx.FilmSop, "2048");
        Assert.True(big.Meta.GetProperty("original").GetBoolean());
    }

    [Fact]
    public async Task Values_answer_304_for_their_ETag_and_400_for_a_size_that_is_not_a_step()
    {
        var v = await GetValuesAsync(_radiologist, fx.FilmSop, "1024");
        Assert.NotNull(v.ETag);
        using var again = new HttpRequestMessage(HttpMethod.Get, $"api/instances/{fx.FilmSop}/frames/1/values?size=1024");
        again.Headers.TryAddWithoutValidation("Accept-Encoding", "br");
        again.Headers.IfNoneMatch.Add(v.ETag!);
        using var r = await _radiologist.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, r.StatusCode);
        foreach (var bad in new[] { "300", "4096", "abc", "-1" })
        {
            var (status, _) = await _radiologist.GetAsync($"api/instances/{fx.FilmSop}/frames/1/values?size={bad}");
            Assert.Equal(HttpStatusCode.BadRequest, status);
        }
        var (frame, _) = await _radiologist.GetAsync($"api/instances/{fx.FilmSop}/frames/2/values");
        Assert.Equal(HttpStatusCode.NotFound, frame);
    }

    /// <summary>The endpoints that read an archived file share one answer for a broken archive: a file cut short inside
    /// its pixel data is 422 with the reason, a file gone from the archive 404 — for the rendered frame, the values and
    /// the header alike.</summary>
    [Fact]
    public async Task A_truncated_archived_file_answers_422_and_a_missing_one_404_on_the_frame_and_header_endpoints()
    {
        var study = await fx.SendNewStudyAsync("CLINIC_A");
        var sop = fx.SopOfStudy[study];
        var path = Directory.EnumerateFiles(fx.Serve.ArchiveRoot, sop + ".dcm", SearchOption.AllDirectories).Single();
        var endpoints = new[] { $"api/instances/{sop}/frames/1?format=png", $"api/instances/{sop}/frames/1/values", $"api/instances/{sop}/header" };
        foreach (var url in endpoints)
        {
            var (ok, _) = await _radiologist.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, ok);
        }
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length - 4096)]);
        foreach (var url in endpoints)
        {
            using var r = await _radiologist.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode);
            Assert.Null(r.Headers.ETag);
            Assert.Contains("cannot", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        File.Delete(path);
        foreach (var url in endpoints)
        {
            using var r = await _radiologist.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Contains("the archived file is missing", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_clinic_user_gets_neither_values_nor_header_of_another_clinics_instance()
    {
        using var clinic = await fx.LoginAsync("clinic_b_vals");
        var other = fx.SopOfStudy[fx.Studies[0]];
        var own = fx.SopOfStudy[fx.Studies[1]];
        foreach (var path in new[] { $"api/instances/{other}/frames/1/values?size=512", $"api/instances/{other}/header",
            $"api/instances/{fx.FilmSop}/header", $"api/instances/{fx.FilmSop}/frames/1/values" })
        {
            var (status, _) = await clinic.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, status);
        }
        var (ownValues, _) = await clinic.GetAsync($"api/instances/{own}/frames/1/values");
        Assert.Equal(HttpStatusCode.OK, ownValues);
        var header = await clinic.GetJsonAsync($"api/instances/{own}/header");
        Assert.Equal(own, header.GetProperty("sopInstanceUid").GetString());
    }

    private static IEnumerable<JsonElement> All(JsonElement elements)
    {
        foreach (var e in elements.EnumerateArray())
        {
            yield return e;
            if (e.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    foreach (var inner in All(item))
                    {
                        yield return inner;
                    }
                }
            }
        }
    }

    [Fact]
    public async Task The_header_lists_elements_with_nested_sequences_cut_values_and_no_pixel_data_and_is_audited()
    {
        var header = await _radiologist.GetJsonAsync($"api/instances/{fx.FilmSop}/header");
        var elements = header.GetProperty("elements");
        var top = elements.EnumerateArray().ToList();
        Assert.DoesNotContain(top, e => e.GetProperty("tag").GetString()!.StartsWith("(7FE0", StringComparison.Ordinal));
        var name = top.Single(e => e.GetProperty("keyword").GetString() == "PatientName");
        Assert.Equal(("(0010,0010)", "PN", fx.FilmPatientName), (name.GetProperty("tag").GetString(), name.GetProperty("vr").GetString(), name.GetProperty("value").GetString()));
        var comments = top.Single(e => e.GetProperty("tag").GetString() == "(0020,4000)");
        Assert.True(comments.GetProperty("truncated").GetBoolean());
        Assert.Equal(header.GetProperty("maxValueChars").GetInt32(), comments.GetProperty("value").GetString()!.Length);
        Assert.Equal(1000, comments.GetProperty("length").GetInt64());
        var region = top.Single(e => e.GetProperty("keyword").GetString() == "AnatomicRegionSequence");
        Assert.Equal("SQ", region.GetProperty("vr").GetString());
        var item = Assert.Single(region.GetProperty("items").EnumerateArray());
        Assert.Contains(item.EnumerateArray(), e => e.GetProperty("keyword").GetString() == "CodeMeaning" && e.GetProperty("value").GetString() == "Chest");
        Assert.Contains(All(header.GetProperty("meta")), e => e.GetProperty("keyword").GetString() == "TransferSyntaxUID");
        Assert.Contains(header.GetProperty("elements").EnumerateArray(), e => e.GetProperty("keyword").GetString() == "ImagerPixelSpacing"
            && e.GetProperty("value").GetString() == "0.125\\0.125");

        var audit = await _radiologist.GetJsonAsync($"api/audit?study={fx.FilmStudy}&pageSize=50");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), a => a.GetProperty("kind").GetString() == "instance.header"
            && a.GetProperty("actor").GetString() == "dr_vals" && a.GetProperty("detail").GetString() == fx.FilmSop);
    }
}
