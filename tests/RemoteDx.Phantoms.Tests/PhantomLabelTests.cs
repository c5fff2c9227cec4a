namespace RemoteDx.Phantoms.Tests;

public sealed class PhantomLabelTests
{
    [Fact]
    public void Cardiothoracic_ratio_measured_on_the_masks_exceeds_half_exactly_when_cardiomegaly_is_drawn()
    {
        var seen = new[] { 0, 0 };
        for (var i = 0; i < 40; i++)
        {
            var spec = new PhantomCaseSpec { Seed = 11, Index = i, Size = 256, FindingsRate = 0.9, View = i % 3 == 0 ? ProjectionView.AP : ProjectionView.PA };
            if (i % 4 == 0)
            {
                spec = spec with { Findings = PhantomFindings.None.With(Finding.Cardiomegaly, 1 + i % 3) };
            }
            var c = PhantomGenerator.Generate(spec, keepLayers: true);
            var ctr = c.Layers!.MeasureCardiothoracicRatio();
            Assert.Equal(c.CardiothoracicRatio, ctr);
            Assert.True(c.Findings.Has(Finding.Cardiomegaly) == ctr > 0.5,
                $"case {i}: measured CTR {ctr:0.000} but cardiomegaly is {c.Findings.Has(Finding.Cardiomegaly)}");
            seen[c.Findings.Has(Finding.Cardiomegaly) ? 1 : 0]++;
        }
        Assert.True(seen[0] > 5 && seen[1] > 5, "both normal and enlarged hearts must be exercised");
    }

    [Fact]
    public void A_pneumothorax_has_pleural_air_without_lung_markings_while_the_rest_of_the_lung_keeps_them()
    {
        for (var severity = 1; severity <= 3; severity++)
        {
            var c = PhantomGenerator.Generate(new PhantomCaseSpec
            {
                Seed = 12,
                Index = severity,
                Size = 384,
                Findings = PhantomFindings.None.With(Finding.Pneumothorax, severity),
            }, keepLayers: true);
            var layers = c.Layers!;
            int pleural = 0, markedLung = 0;
            for (var i = 0; i < layers.Pneumothorax.Length; i++)
            {
                if (layers.Pneumothorax[i])
                {
                    pleural++;
                    Assert.True(layers.Vessels[i] == 0, $"severity {severity}: a lung marking at pixel {i} inside the pneumothorax");
                }
                else if (layers.Lungs[i] && layers.Vessels[i] > 0.5f)
                {
                    markedLung++;
                }
            }
            Assert.True(pleural > 100, $"severity {severity}: only {pleural} pixels of pleural air");
            Assert.True(markedLung > 1000, $"severity {severity}: the remaining lung has almost no markings ({markedLung})");
        }
    }

    [Fact]
    public void Larger_pneumothorax_grades_collapse_more_lung()
    {
        var areas = Enumerable.Range(1, 3).Select(s => PhantomGenerator.Generate(new PhantomCaseSpec
        {
            Seed = 13,
            Index = 0,
            Size = 256,
            Findings = PhantomFindings.None.With(Finding.Pneumothorax, s),
        }, keepLayers: true).Layers!.Pneumothorax.Count(p => p)).ToList();
        Assert.True(areas[0] < areas[1] && areas[1] < areas[2], string.Join(", ", areas));
    }

    [Fact]
    public void A_case_without_pneumothorax_has_no_pleural_air()
    {
        var c = PhantomGenerator.Generate(new PhantomCaseSpec { Seed = 14, Index = 0, Size = 256, Findings = PhantomFindings.None.With(Finding.Effusion, 3) }, keepLayers: true);
        Assert.DoesNotContain(true, c.Layers!.Pneumothorax);
    }

    [Fact]
    public void Findings_add_density_to_the_lungs_of_the_same_patient()
    {
        // Same seed and case: the same anatomy, acquisition and noise, with and without each finding.
        var spec = new PhantomCaseSpec { Seed = 15, Index = 2, Size = 256, Findings = PhantomFindings.None };
        var normal = PhantomGenerator.Generate(spec, keepLayers: true).Layers!;
        foreach (var finding in new[] { Finding.Nodule, Finding.Consolidation, Finding.Effusion })
        {
            var abnormal = PhantomGenerator.Generate(spec with { Findings = PhantomFindings.None.With(finding, 2) }, keepLayers: true).Layers!;
            double added = 0;
            for (var i = 0; i < normal.Attenuation.Length; i++)
            {
                if (normal.Thorax[i])
                {
                    added += abnormal.Attenuation[i] - normal.Attenuation[i];
                }
            }
            Assert.True(added > 0, $"{finding} added no density inside the thorax ({added})");
        }
    }

    [Fact]
    public void Labels_csv_lists_every_file_with_one_column_per_label()
    {
        var dir = RemoteDx.Testing.TempDirectory.ForTestRun();
        var cases = PhantomGenerator.WriteBatch(new PhantomBatchOptions { Count = 5, Seed = 3, Size = 128, FindingsRate = 1 }, dir);
        var lines = File.ReadAllLines(Path.Combine(dir, "labels.csv"));
        Assert.StartsWith("file,nodule,consolidation,effusion,pneumothorax,cardiomegaly,", lines[0]);
        Assert.Equal(6, lines.Length);
        for (var i = 0; i < cases.Count; i++)
        {
            var cells = lines[i + 1].Split(',');
            Assert.True(File.Exists(Path.Combine(dir, cells[0])), cells[0]);
            for (var k = 0; k < PhantomLabels.Count; k++)
            {
                Assert.Equal(cases[i].Findings.Has((Finding)k) ? "1" : "0", cells[k + 1]);
            }
            Assert.True(cases[i].Findings.Any, "findings rate 1 gives only abnormal cases");
        }
    }
}
