using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RemoteDx.Core.Pipeline;
using RemoteDx.Core.Store;

namespace RemoteDx.Api;

/// <summary>The JSON shapes of docs/api.md, built from the store's records.</summary>
internal static class ApiJson
{
    public static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private static double R(double v) => Math.Round(v, 4);

    public static object Me(SessionRecord s, string? csrf = null) =>
        new { username = s.Username, role = s.Role, clinics = s.Clinics, csrfToken = csrf ?? s.CsrfToken };

    public static Dictionary<string, object?> Item(WorklistItem s, QuietPeriod quiet, DateTimeOffset now) => new()
    {
        ["studyInstanceUid"] = s.StudyInstanceUid,
        ["priority"] = R(s.Priority),
        ["stat"] = s.Stat,
        ["status"] = s.Status,
        ["patientName"] = s.PatientName,
        ["patientId"] = s.PatientId,
        ["patientSex"] = s.PatientSex,
        ["patientAge"] = s.PatientAge,
        ["studyDate"] = s.StudyDate,
        ["studyDescription"] = s.StudyDescription,
        ["modality"] = s.Modality,
        ["clinic"] = s.Clinic,
        ["institution"] = s.Institution,
        ["receivedAt"] = s.ReceivedAt,
        ["complete"] = quiet.IsComplete(s.LastReceivedAt, now),
        ["instances"] = s.Instances,
        ["scored"] = s.Scored,
        ["failed"] = s.Failed,
        ["findings"] = s.Findings.Select(f => new { label = f.Label, probability = R(f.Probability), positive = f.Positive, critical = f.Critical, model = f.Model, decision = f.Decision }),
        ["notApplicable"] = NotApplicable(s),
    };

    /// <summary>No model applies to any of the study's images: every instance's job is done, none failed, and no
    /// finding exists (a model that applies writes one finding per label, positive or not). A priority of 0 then
    /// means "not scored", not "nothing seen".</summary>
    public static bool NotApplicable(WorklistItem s) =>
        s.Status != StudyStatus.Scoring && s.Instances > 0 && s.Scored == s.Instances && s.Failed == 0 && s.Findings.Count == 0;

    public static object? Review(ReviewInfo? r) => r is null ? null : new { decision = r.Decision, by = r.By, at = r.At };

    public static object Finding(FindingDetail f) => new
    {
        id = f.Id,
        model = f.Model,
        modelVersion = f.ModelVersion,
        label = f.Label,
        probability = R(f.Probability),
        positive = f.Positive,
        critical = f.Critical,
        threshold = R(f.Threshold),
        urgency = R(f.Urgency),
        review = Review(f.Review),
        studyInstanceUid = f.StudyInstanceUid,
        sopInstanceUid = f.SopInstanceUid,
    };

    public static object? Job(JobInfo? j) => j is null ? null : new { state = j.State, attempts = j.Attempts, error = j.Error };

    public static object JobRow(JobInfo j) => new
    {
        id = j.Id,
        sopInstanceUid = j.SopInstanceUid,
        studyInstanceUid = j.StudyInstanceUid,
        state = j.State,
        attempts = j.Attempts,
        error = j.Error,
        notBefore = j.NotBefore,
        createdAt = j.CreatedAt,
        updatedAt = j.UpdatedAt,
    };

    public static object Comment(CommentInfo c) => new { id = c.Id, by = c.By, at = c.At, text = c.Text };

    /// <param name="deliveryErrors">Whether <c>lastError</c> is shown: a clinic user sees only whether results reached its
    /// PACS, not our side's error text (hosts, ports, socket errors).</param>
    public static Dictionary<string, object?> Study(StudyDetail d, QuietPeriod quiet, DateTimeOffset now, bool deliveryErrors)
    {
        var o = Item(d.Study, quiet, now);
        o["patientBirthDate"] = d.PatientBirthDate;
        o["accessionNumber"] = d.AccessionNumber;
        o["reviewedBy"] = d.ReviewedBy;
        o["reviewedAt"] = d.ReviewedAt;
        o["series"] = d.Series.Select(s => new
        {
            seriesInstanceUid = s.SeriesInstanceUid,
            modality = s.Modality,
            bodyPart = s.BodyPart,
            seriesNumber = s.SeriesNumber,
            description = s.Description,
            instances = s.Instances.Select(i => new
            {
                sopInstanceUid = i.SopInstanceUid,
                instanceNumber = i.InstanceNumber,
                rows = i.Rows,
                columns = i.Columns,
                frames = i.Frames,
                viewPosition = i.ViewPosition,
                photometric = i.Photometric,
                windowCenter = i.WindowCenter,
                windowWidth = i.WindowWidth,
                job = Job(i.Job),
                notApplicable = i.NotApplicable,
                findings = i.Findings.Select(Finding),
                heatmaps = i.Heatmaps.Select(h => new { model = h.Model, label = h.Label }),
            }),
        });
        o["comments"] = d.Comments.Select(Comment);
        // Result objects RemoteDx wrote (docs/api.md): grouped as the series they form.
        o["resultSeries"] = d.Results.GroupBy(r => r.SeriesInstanceUid, StringComparer.Ordinal).Select(g => new
        {
            seriesInstanceUid = g.Key,
            modality = g.First().Modality,
            seriesNumber = g.First().SeriesNumber,
            description = g.First().SeriesDescription,
            instances = g.Select(r => new
            {
                sopInstanceUid = r.SopInstanceUid,
                sopClassUid = r.SopClassUid,
                instanceNumber = r.InstanceNumber,
                kind = r.Kind,
                model = r.Model,
                createdAt = r.CreatedAt,
            }),
        });
        o["deliveries"] = d.Deliveries.Select(x => new
        {
            destination = x.Destination,
            sopInstanceUid = x.SopInstanceUid,
            kind = x.Kind,
            status = x.State,
            attempts = x.Attempts,
            lastError = deliveryErrors ? x.LastError : null,
            updatedAt = x.UpdatedAt,
            nextAttemptAt = x.NextAttemptAt,
        });
        return o;
    }
}

/// <summary>Timestamps as UTC ISO 8601 with a Z (docs/api.md).</summary>
internal sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}
