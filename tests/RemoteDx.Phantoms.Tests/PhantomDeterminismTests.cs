namespace RemoteDx.Phantoms.Tests;

public sealed class PhantomDeterminismTests
{
    [Fact]
    public void The_same_seed_writes_byte_identical_files_and_labels()
    {
        var options = new PhantomBatchOptions { Count = 6, Seed = 42, Size = 192, FindingsRate = 0.8 };
        var first = RemoteDx.Testing.TempDirectory.ForTestRun();
        var second = RemoteDx.Testing.TempDirectory.ForTestRun();
        PhantomGenerator.WriteBatch(options with { Parallelism = 2 }, first);
        PhantomGenerator.WriteBatch(options with { Parallelism = 1 }, second);
        var files = Directory.GetFiles(first).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(7, files.Count); // six cases and labels.csv
        Assert.Equal(files, Directory.GetFiles(second).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        foreach (var name in files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(first, name!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(second, name!))),
                $"{name} differs between two runs with seed 42");
        }
    }

    [Fact]
    public void Different_seeds_give_different_patients_and_uids()
    {
        var a = PhantomGenerator.Generate(new PhantomCaseSpec { Seed = 1, Index = 0, Size = 128 });
        var b = PhantomGenerator.Generate(new PhantomCaseSpec { Seed = 2, Index = 0, Size = 128 });
        Assert.NotEqual(a.StudyInstanceUid, b.StudyInstanceUid);
        Assert.NotEqual(a.SopInstanceUid, b.SopInstanceUid);
        Assert.False(a.Pixels.AsSpan().SequenceEqual(b.Pixels));
    }

    [Fact]
    public void Uids_are_valid_2_25_uids_of_at_most_64_characters()
    {
        for (var i = 0; i < 50; i++)
        {
            var uid = PhantomUids.Create(i, "sop/" + i);
            Assert.StartsWith("2.25.", uid);
            Assert.True(uid.Length <= 64, uid);
            Assert.Matches("^2\\.25\\.[1-9][0-9]*$", uid);
        }
    }

    [Fact]
    public void The_storage_form_does_not_change_the_pixels()
    {
        var spec = new PhantomCaseSpec { Seed = 9, Index = 3, Size = 160 };
        var native = PhantomGenerator.Generate(spec with { Encoding = PixelEncoding.Native });
        var jpeg = PhantomGenerator.Generate(spec with { Encoding = PixelEncoding.JpegLossless });
        var sampled = PhantomGenerator.Generate(spec);
        Assert.Equal(native.Pixels, jpeg.Pixels);
        Assert.Equal(native.Pixels, sampled.Pixels);
    }
}
