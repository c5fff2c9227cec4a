using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RemoteDx.Core.Store;

namespace RemoteDx.Api;

internal sealed record ClinicalNoteRequest(string? History, string? Question);

internal sealed record ClinicSettingsRequest(bool? ShowModelOutput);

/// <summary>POST /api/studies/{uid}/notes (a clinic user's clinical history or question), GET /api/admin/clinics and GET/PUT
/// /api/admin/clinics/{clinic}/settings (admin).</summary>
internal static class ClinicEndpoints
{
    public const int MaxNoteLength = 4000;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/studies/{uid}/notes", AddNoteAsync);
        api.MapGet("/admin/clinics", ListAsync).RequireAuthorization(ApiPolicies.Admin);
        api.MapGet("/admin/clinics/{clinic}/settings", GetSettingsAsync).RequireAuthorization(ApiPolicies.Admin);
        api.MapPut("/admin/clinics/{clinic}/settings", PutSettingsAsync).RequireAuthorization(ApiPolicies.Admin);
    }

    private static async Task<IResult> AddNoteAsync(HttpContext ctx, string uid, ClinicalNoteRequest? body, ITriageStore store)
    {
        var s = Sessions.Current(ctx);
        if (s.Role != Roles.Clinic)
        {
            return ApiJson.Error(403, "clinical notes come from the clinic's users");
        }
        var history = Clean(body?.History);
        var question = Clean(body?.Question);
        if ((history is null && question is null) || history?.Length > MaxNoteLength || question?.Length > MaxNoteLength)
        {
            return ApiJson.Error(400, $"history or question is required (each at most {MaxNoteLength} characters)");
        }
        var note = await store.AddClinicalNoteAsync(uid, Sessions.ScopeOf(s), s.Username, history, question, ctx.RequestAborted).ConfigureAwait(false);
        return note is null ? ApiJson.Error(404, "no such study") : Results.Json(ReviewJson.Note(note), statusCode: 201);
    }

    private static string? Clean(string? text) => text?.Trim() is { Length: > 0 } t ? t : null;

    /// <summary>A clinic is an AE title or a clinic name of the allow-list: 1..64 printable characters.</summary>
    private static bool ValidClinic(string clinic) => clinic.Length is > 0 and <= 64 && clinic.All(c => c >= ' ' && c != '\u007f');

    private static async Task<IResult> ListAsync(HttpContext ctx, ITriageStore store) =>
        Results.Json(new { items = (await store.ClinicsAsync(ctx.RequestAborted).ConfigureAwait(false)).Select(ReviewJson.Clinic) });

    private static async Task<IResult> GetSettingsAsync(HttpContext ctx, string clinic, ITriageStore store)
    {
        if (!ValidClinic(clinic))
        {
            return ApiJson.Error(400, "clinic must be 1..64 printable characters");
        }
        return Results.Json(ReviewJson.Settings(await store.ClinicSettingsAsync(clinic, ctx.RequestAborted).ConfigureAwait(false)));
    }

    private static async Task<IResult> PutSettingsAsync(HttpContext ctx, string clinic, ClinicSettingsRequest? body, ITriageStore store)
    {
        if (!ValidClinic(clinic))
        {
            return ApiJson.Error(400, "clinic must be 1..64 printable characters");
        }
        if (body?.ShowModelOutput is not { } show)
        {
            return ApiJson.Error(400, "showModelOutput (true or false) is required");
        }
        var saved = await store.SetClinicSettingsAsync(clinic, show, Sessions.Current(ctx).Username, ctx.RequestAborted).ConfigureAwait(false);
        return Results.Json(ReviewJson.Settings(saved));
    }
}
