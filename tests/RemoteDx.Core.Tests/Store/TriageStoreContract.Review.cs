using RemoteDx.Core.Store;
using static RemoteDx.Core.Tests.Store.StoreData;

namespace RemoteDx.Core.Tests.Store;

/// <summary>Decisions per label for a whole study (with undo), clinical notes from clinics, per-clinic settings.</summary>
public abstract partial class TriageStoreContract
{
    /// <summary>One study of two images, both scored: "nodule" positive on the first only, "effusion" below threshold on
    /// both. Returns the study and its findings per image (instance order).</summary>
    private async Task<(string Study, IReadOnlyList<FindingDetail> First, IReadOnlyList<FindingDetail> Second)> TwoImageStudyAsync(string clinic = "CLINIC_A")
    {
        var study = NewUid();
        var (sop1, sop2) = (NewUid(), NewUid());
        await Store.RecordInstanceAsync(Instance(study, sop: sop1, callingAe: clinic, at: T0));
        Assert.True(await Store.CompleteJobAsync(await ClaimOneAsync(), FixedScorer.Score(FixedScorer.Model("cxr",
            ("nodule", 0.8f, true, false, 1f), ("effusion", 0.1f, false, false, 1f))), []));
        await Store.RecordInstanceAsync(Instance(study, sop: sop2, callingAe: clinic, at: T0.AddSeconds(1)));
        Assert.True(await Store.CompleteJobAsync(await ClaimOneAsync(), FixedScorer.Score(FixedScorer.Model("cxr",
            ("nodule", 0.3f, false, false, 1f), ("effusion", 0.2f, false, false, 1f))), []));
        var instances = Assert.Single((await Store.StudyAsync(study, Scope.All))!.Series).Instances;
        Assert.Equal(2, instances.Count);
        return (study, instances.Single(i => i.SopInstanceUid == sop1).Findings, instances.Single(i => i.SopInstanceUid == sop2).Findings);
    }

    private async Task<IReadOnlyList<string?>> DecisionsAsync(string study, string label) =>
        (await Store.StudyAsync(study, Scope.All))!.Series.SelectMany(s => s.Instances).SelectMany(i => i.Findings)
            .Where(f => f.Label == label).Select(f => f.Review?.Decision).ToList();

    [Fact]
    public async Task A_decision_applies_to_the_label_on_every_image_of_the_study_and_undo_clears_it_with_audit_events()
    {
        var (study, first, second) = await TwoImageStudyAsync();
        var secondNodule = second.Single(f => f.Label == "nodule");

        // Confirmed from the second image's (below threshold) twin: the label is positive on the first, so it counts.
        var confirmed = await Store.ReviewFindingAsync(secondNodule.Id, Decision.Confirmed, "dr_lee");
        Assert.Equal(ReviewOutcome.Recorded, confirmed.Outcome);
        Assert.Equal(2, confirmed.Findings.Count);
        Assert.All(confirmed.Findings, f => Assert.Equal((Decision.Confirmed, "dr_lee"), (f.Review!.Decision, f.Review.By)));
        Assert.Equal([Decision.Confirmed, Decision.Confirmed], await DecisionsAsync(study, "nodule"));
        Assert.Equal(StudyStatus.InReview, (await Store.StudyAsync(study, Scope.All))!.Study.Status);

        // Changed on the other twin: both follow, never one confirmed and one dismissed.
        await Store.ReviewFindingAsync(first.Single(f => f.Label == "nodule").Id, Decision.Dismissed, "dr_kim");
        Assert.Equal([Decision.Dismissed, Decision.Dismissed], await DecisionsAsync(study, "nodule"));
        var annotations = (await Store.StudyAnnotationsAsync([study]))[study];
        Assert.Equal((Decision.Dismissed, "dr_kim"), (annotations.Decisions[("cxr", "nodule")].Decision, annotations.Decisions[("cxr", "nodule")].By));

        // Undo: undecided again on every image, and the study is "new" again (nothing else was done to it).
        var cleared = await Store.ReviewFindingAsync(secondNodule.Id, Decision.None, "dr_kim");
        Assert.Equal(ReviewOutcome.Recorded, cleared.Outcome);
        Assert.All(cleared.Findings, f => Assert.Null(f.Review));
        Assert.Equal([null, null], await DecisionsAsync(study, "nodule"));
        Assert.Empty((await Store.StudyAnnotationsAsync([study]))[study].Decisions);
        Assert.Equal(StudyStatus.New, (await Store.StudyAsync(study, Scope.All))!.Study.Status);

        var (audit, _) = await Store.AuditQueryAsync(study, 1, 50);
        Assert.Equal(["finding.cleared", "finding.dismissed", "finding.confirmed"], audit.Select(a => a.Kind));
        Assert.All(audit, a => Assert.Contains("cxr/nodule", a.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Confirm_and_dismiss_are_refused_for_a_label_no_image_reached_the_threshold_for()
    {
        var (study, first, _) = await TwoImageStudyAsync();
        var effusion = first.Single(f => f.Label == "effusion");
        var before = await Store.WorklistVersionAsync();
        foreach (var decision in new[] { Decision.Confirmed, Decision.Dismissed })
        {
            var r = await Store.ReviewFindingAsync(effusion.Id, decision, "dr_lee");
            Assert.Equal((ReviewOutcome.BelowThreshold, 0), (r.Outcome, r.Findings.Count));
        }
        Assert.Equal([null, null], await DecisionsAsync(study, "effusion"));
        Assert.Equal(before, await Store.WorklistVersionAsync());
        Assert.Equal(0, (await Store.AuditQueryAsync(study, 1, 50)).Total);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReviewFindingAsync(effusion.Id, "maybe", "dr_lee"));
    }

    [Fact]
    public async Task Clinical_notes_are_kept_per_study_within_the_clinic_scope_and_audited_without_their_text()
    {
        var (mine, _, _) = await TwoImageStudyAsync("CLINIC_A");
        var theirs = await StudyAsync(T0.AddMinutes(5), null, clinic: "CLINIC_B");
        var scopeA = new Scope(["CLINIC_A"]);
        var before = await Store.WorklistVersionAsync();

        var note = await Store.AddClinicalNoteAsync(mine, scopeA, "clinic_a", "cough for 3 weeks, smoker", "nodule follow-up?");
        Assert.NotNull(note);
        Assert.Equal(("clinic_a", "cough for 3 weeks, smoker", "nodule follow-up?"), (note.By, note.History, note.Question));
        Assert.NotNull(await Store.AddClinicalNoteAsync(mine, scopeA, "clinic_a", null, "is it urgent?"));
        Assert.True(await Store.WorklistVersionAsync() > before);

        // Another clinic's study, or one that does not exist: nothing written.
        Assert.Null(await Store.AddClinicalNoteAsync(theirs, scopeA, "clinic_a", "wrong clinic", null));
        Assert.Null(await Store.AddClinicalNoteAsync(NewUid(), scopeA, "clinic_a", "no such study", null));
        Assert.Empty(await Store.ClinicalNotesAsync(theirs));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AddClinicalNoteAsync(mine, scopeA, "clinic_a", null, null));

        await using var reopened = Open(new TriageStoreOptions());
        var notes = await reopened.ClinicalNotesAsync(mine);
        Assert.Equal([("cough for 3 weeks, smoker", "nodule follow-up?"), (null, "is it urgent?")], notes.Select(n => (n.History, n.Question)));
        var annotations = await reopened.StudyAnnotationsAsync([mine, theirs]);
        Assert.Equal((2, 0), (annotations[mine].ClinicalNotes, annotations[theirs].ClinicalNotes));

        var (audit, _) = await reopened.AuditQueryAsync(mine, 1, 50);
        Assert.Equal(2, audit.Count(a => a.Kind == "study.note" && a.Actor == "clinic_a"));
        Assert.DoesNotContain(audit, a => a.Detail is { } d && (d.Contains("cough", StringComparison.Ordinal) || d.Contains("urgent", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Clinic_settings_default_to_hiding_model_output_and_are_saved_and_audited()
    {
        Assert.Equal(ClinicSettings.Default("CLINIC_A"), await Store.ClinicSettingsAsync("CLINIC_A"));
        Assert.Empty(await Store.AllClinicSettingsAsync());

        var saved = await Store.SetClinicSettingsAsync("CLINIC_A", true, "rdx_admin");
        Assert.Equal(("CLINIC_A", true, "rdx_admin"), (saved.Clinic, saved.ShowModelOutput, saved.UpdatedBy));
        await using var reopened = Open(new TriageStoreOptions());
        var read = await reopened.ClinicSettingsAsync("CLINIC_A");
        Assert.Equal((true, "rdx_admin"), (read.ShowModelOutput, read.UpdatedBy));
        Assert.False((await reopened.ClinicSettingsAsync("CLINIC_B")).ShowModelOutput);

        await reopened.SetClinicSettingsAsync("CLINIC_A", false, "other_admin");
        Assert.Equal([("CLINIC_A", false)], (await reopened.AllClinicSettingsAsync()).Select(c => (c.Clinic, c.ShowModelOutput)));
        var (audit, _) = await reopened.AuditQueryAsync("CLINIC_A", 1, 50);
        Assert.Equal(["showModelOutput=false", "showModelOutput=true"], audit.Where(a => a.Kind == "clinic.settings").Select(a => a.Detail));
    }

    [Fact]
    public async Task The_clinic_list_joins_study_owners_users_clinics_and_saved_settings_with_study_counts()
    {
        await TwoImageStudyAsync("CLINIC_A");
        await TwoImageStudyAsync("CLINIC_A");
        await Store.RecordInstanceAsync(Instance(NewUid(), callingAe: "CLINIC_B", at: T0));
        Assert.True(await Store.AddUserAsync(new UserRecord("ann", "hash", Roles.Clinic, ["CLINIC_B", "CLINIC_USERONLY"], 0, null, T0)));
        await Store.SetClinicSettingsAsync("CLINIC_SETTINGSONLY", true, "rdx_admin");

        var clinics = await Store.ClinicsAsync();
        Assert.Equal(
            [("CLINIC_A", 2, false, null), ("CLINIC_B", 1, false, null), ("CLINIC_SETTINGSONLY", 0, true, "rdx_admin"), ("CLINIC_USERONLY", 0, false, null)],
            clinics.Select(c => (c.Settings.Clinic, c.Studies, c.Settings.ShowModelOutput, c.Settings.UpdatedBy)));
        Assert.NotNull(clinics.Single(c => c.Settings.Clinic == "CLINIC_SETTINGSONLY").Settings.UpdatedAt);

        await Store.SetClinicSettingsAsync("CLINIC_USERONLY", true, "other_admin");
        var changed = (await Store.ClinicsAsync()).Single(c => c.Settings.Clinic == "CLINIC_USERONLY");
        Assert.Equal((true, "other_admin"), (changed.Settings.ShowModelOutput, changed.Settings.UpdatedBy));
    }
}
