using RemoteDx.Core.Store;
using static RemoteDx.Core.Tests.Store.StoreData;

namespace RemoteDx.Core.Tests.Store;

/// <summary>Worklist search, sorting and filters (issue 18 item 3): the same answers from both stores.</summary>
public abstract partial class TriageStoreContract
{
    /// <summary>A study of one instance with this patient, clinic and arrival, scored with <paramref name="p"/> (or left
    /// scoring when null).</summary>
    private async Task<string> PatientStudyAsync(string name, string patientId, string accession, string clinic, DateTimeOffset at,
        float? p = null, string modality = "DX")
    {
        var study = NewUid();
        var record = Instance(study, callingAe: clinic, at: at, patientId: patientId);
        var archive = record.Archive with
        {
            Attributes = record.Archive.Attributes with { PatientName = name, AccessionNumber = accession, Modality = modality },
        };
        await Store.RecordInstanceAsync(record with { Archive = archive });
        if (p is { } probability)
        {
            Assert.True(await Store.CompleteJobAsync(await ClaimOneAsync(), Positive(probability), []));
        }
        return study;
    }

    private async Task<IReadOnlyList<string>> ListAsync(WorklistQuery q) =>
        (await Store.WorklistAsync(q with { PageSize = 100 })).Items.Select(i => i.StudyInstanceUid).ToList();

    [Fact]
    public async Task Search_finds_patient_name_words_ids_and_accessions_by_prefix_ignoring_case_and_accents()
    {
        var muller = await PatientStudyAsync("MÜLLER^JOSÉ", "PID-100", "ACC-9001", "CLINIC_A", T0);
        var mueller = await PatientStudyAsync("Mueller^Anna", "PID-200", "ACC-9002", "CLINIC_A", T0.AddMinutes(1));
        var aero = await PatientStudyAsync("Ærø^Søren", "X-1", "A1", "CLINIC_B", T0.AddMinutes(2));
        var arabic = await PatientStudyAsync("مُحَمَّد^عَلِي", "AR-7", "A2", "CLINIC_B", T0.AddMinutes(3));
        var chinese = await PatientStudyAsync("Wang^Xiaoming=王^小明", "CN-8", "A3", "CLINIC_B", T0.AddMinutes(4));

        Assert.Equal([muller], await ListAsync(new WorklistQuery { Search = "muller" }));
        Assert.Equal([muller], await ListAsync(new WorklistQuery { Search = "MÜL" }));
        Assert.Equal([muller], await ListAsync(new WorklistQuery { Search = "jose muller" }));
        Assert.Equal([muller], await ListAsync(new WorklistQuery { Search = "José" }));
        Assert.Equal([mueller], await ListAsync(new WorklistQuery { Search = "mue" }));
        Assert.Equal([muller, mueller], await ListAsync(new WorklistQuery { Search = "m", Sort = WorklistSort.Received, Descending = false }));
        Assert.Equal([aero], await ListAsync(new WorklistQuery { Search = "aero soren" }));
        Assert.Equal([aero], await ListAsync(new WorklistQuery { Search = "ÆRØ" }));
        Assert.Equal([arabic], await ListAsync(new WorklistQuery { Search = "محمد" }));
        Assert.Equal([chinese], await ListAsync(new WorklistQuery { Search = "王" }));
        Assert.Equal([chinese], await ListAsync(new WorklistQuery { Search = "xiao" }));
        Assert.Equal([mueller], await ListAsync(new WorklistQuery { Search = "pid-2" }));
        Assert.Equal([muller], await ListAsync(new WorklistQuery { Search = "acc-9001" }));
        Assert.Empty(await ListAsync(new WorklistQuery { Search = "uller" })); // a prefix, not a substring
        Assert.Empty(await ListAsync(new WorklistQuery { Search = "muller anna" })); // every word must match the same study
        Assert.Empty(await ListAsync(new WorklistQuery { Search = "^ =" }));
        // Search stays inside the reader's scope.
        Assert.Empty(await ListAsync(new WorklistQuery { Search = "aero", Scope = new Scope(["CLINIC_A"]) }));
        Assert.Equal([aero], await ListAsync(new WorklistQuery { Search = "aero", Scope = new Scope(["CLINIC_B"]) }));
    }

    [Fact]
    public async Task Every_sort_is_stable_and_both_directions_are_exact_reverses()
    {
        var zeta = await PatientStudyAsync("zeta^a", "1", "1", "clinic_b", T0, 0.9f, "CR");
        var alvarez1 = await PatientStudyAsync("Álvarez^b", "2", "2", "CLINIC_A", T0.AddMinutes(1), 0.2f, "DX");
        var beta = await PatientStudyAsync("Beta^c", "4", "4", "CLINIC_A", T0.AddMinutes(3), 0.9f, "CR");
        // Left scoring, made last so no claim above takes its job.
        var alvarez2 = await PatientStudyAsync("alvarez^b", "3", "3", "CLINIC_C", T0.AddMinutes(2), null, "DX");
        var studies = new List<string> { zeta, alvarez1, alvarez2, beta };
        Assert.True((await Store.MarkReviewedAsync(studies[1], "dr_lee", Scope.All)).Found);

        Assert.Equal([studies[0], studies[3], studies[1], studies[2]], await ListAsync(new WorklistQuery()));
        Assert.Equal([studies[3], studies[2], studies[1], studies[0]], await ListAsync(new WorklistQuery { Sort = WorklistSort.Received }));
        // Álvarez and alvarez share the key "alvarez b": the UID breaks the tie (the test UIDs may not sort as made).
        var alvarez = new[] { studies[1], studies[2] }.Order(StringComparer.Ordinal).ToList();
        Assert.Equal([.. alvarez, studies[3], studies[0]], await ListAsync(new WorklistQuery { Sort = WorklistSort.Patient }));
        Assert.Equal([studies[0], studies[3], .. alvarez.AsEnumerable().Reverse()],
            await ListAsync(new WorklistQuery { Sort = WorklistSort.Patient, Descending = true }));
        var byClinic = await ListAsync(new WorklistQuery { Sort = WorklistSort.Clinic });
        Assert.Equal(studies[2], byClinic[3]); // clinic_c last; clinic_b (lower case) between A and C
        Assert.Equal(studies[0], byClinic[2]);
        var byStatus = await ListAsync(new WorklistQuery { Sort = WorklistSort.Status });
        Assert.Equal([studies[0], studies[3], studies[2], studies[1]], byStatus); // new (by rank), scoring, reviewed
        foreach (var sort in Enum.GetValues<WorklistSort>())
        {
            var natural = await ListAsync(new WorklistQuery { Sort = sort });
            var asc = await ListAsync(new WorklistQuery { Sort = sort, Descending = false });
            var desc = await ListAsync(new WorklistQuery { Sort = sort, Descending = true });
            Assert.Equal(4, natural.Count);
            Assert.True(natural.SequenceEqual(asc) || natural.SequenceEqual(desc), $"{sort}: the natural order is one of the directions");
            if (sort is not WorklistSort.Status)
            {
                Assert.Equal(asc, desc.Reverse());
            }
            // Paging with the same sort never repeats or skips a study.
            var paged = new List<string>();
            for (var page = 1; page <= 4; page++)
            {
                paged.AddRange((await Store.WorklistAsync(new WorklistQuery { Sort = sort, Page = page, PageSize = 1 })).Items.Select(i => i.StudyInstanceUid));
            }
            Assert.Equal(natural, paged);
        }
    }

    [Fact]
    public async Task The_unreviewed_filter_hides_reviewed_studies_and_the_clinic_filter_ignores_case_and_takes_the_AE_title()
    {
        var a = await PatientStudyAsync("A^A", "1", "1", "CLINIC_A", T0, 0.5f);
        var b = await PatientStudyAsync("B^B", "2", "2", "CLINIC_B", T0.AddMinutes(1), 0.6f);
        Assert.True((await Store.MarkReviewedAsync(a, "dr_lee", Scope.All)).Found);
        Assert.Equal([b], await ListAsync(new WorklistQuery { Unreviewed = true }));
        Assert.Equal([b, a], await ListAsync(new WorklistQuery()));
        Assert.Equal([a], await ListAsync(new WorklistQuery { Clinic = "clinic_a" }));
        Assert.Equal([b], await ListAsync(new WorklistQuery { Clinic = "Clinic_B" }));
        Assert.Empty(await ListAsync(new WorklistQuery { Clinic = "clinic_b", Scope = new Scope(["CLINIC_A"]) }));
    }

    [Fact]
    public async Task Worklist_findings_carry_the_radiologists_latest_decision()
    {
        var study = await PatientStudyAsync("C^C", "3", "3", "CLINIC_A", T0, 0.9f);
        Assert.Null(Assert.Single((await Store.WorklistAsync(new WorklistQuery())).Items[0].Findings).Decision);
        var finding = Assert.Single((await Store.StudyAsync(study, Scope.All))!.Series[0].Instances[0].Findings);
        await Store.ReviewFindingAsync(finding.Id, "confirmed", "dr_lee");
        await Store.ReviewFindingAsync(finding.Id, "dismissed", "dr_lee");
        var chip = Assert.Single((await Store.WorklistAsync(new WorklistQuery())).Items[0].Findings);
        Assert.Equal(("nodule", true, "dismissed"), (chip.Label, chip.Positive, chip.Decision));
    }
}
