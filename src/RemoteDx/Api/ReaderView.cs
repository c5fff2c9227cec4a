using RemoteDx.Core.Store;

namespace RemoteDx.Api;

/// <summary>What one signed-in user may see of studies' model output (docs/api.md "Clinic users"): staff see everything;
/// a clinic user sees probabilities, positives, STAT, priority and heatmaps of a study only once a radiologist marked it
/// reviewed, or when an admin enabled "show model output" for the study's clinic. The one home of that rule: the
/// worklist, study, heatmap and FHIR endpoints all ask here.</summary>
internal sealed class ReaderView
{
    private readonly bool _clinicUser;
    private readonly HashSet<string> _shown;

    private ReaderView(bool clinicUser, HashSet<string> shown)
    {
        _clinicUser = clinicUser;
        _shown = shown;
    }

    public const string Hidden = "model output is shown to this clinic once a radiologist has reviewed the study";

    /// <summary>For one study (heatmaps): whether <paramref name="session"/>'s user sees its model output.</summary>
    public static async Task<bool> ShowsModelOutputAsync(SessionRecord session, ITriageStore store, string study, CancellationToken ct)
    {
        if (session.Role != Roles.Clinic)
        {
            return true;
        }
        var detail = await store.StudyAsync(study, Sessions.ScopeOf(session), ct).ConfigureAwait(false);
        return detail is not null && (await ForAsync(session, store, ct).ConfigureAwait(false)).ShowsModelOutput(detail.Study.Clinic, detail.Study.Status);
    }

    public static async Task<ReaderView> ForAsync(SessionRecord session, ITriageStore store, CancellationToken ct)
    {
        if (session.Role != Roles.Clinic)
        {
            return new ReaderView(false, []);
        }
        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var clinic in session.Clinics)
        {
            if ((await store.ClinicSettingsAsync(clinic, ct).ConfigureAwait(false)).ShowModelOutput)
            {
                shown.Add(clinic);
            }
        }
        return new ReaderView(true, shown);
    }

    /// <summary>Whether model output of a study of <paramref name="clinic"/> in <paramref name="status"/> is shown.</summary>
    public bool ShowsModelOutput(string clinic, string status) => !_clinicUser || status == StudyStatus.Reviewed || _shown.Contains(clinic);

    /// <summary>Whether this user sees the radiologist's review work (decisions, comments) of a study: staff always, a
    /// clinic user once the study is reviewed.</summary>
    public bool ShowsReview(string status) => !_clinicUser || status == StudyStatus.Reviewed;

    /// <summary>True when some study of this user's could be listed without model output: the worklist is then in arrival
    /// order and ignores the STAT filter, so neither the order nor the count betrays what is hidden.</summary>
    public bool HidesAnyModelOutput(SessionRecord session) => _clinicUser && session.Clinics.Any(c => !_shown.Contains(c));
}
