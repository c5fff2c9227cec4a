using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RemoteDx.Core.Inference;
using RemoteDx.Core.Results;
using RemoteDx.Core.Store;

namespace RemoteDx.Api;

/// <summary>GET /api/studies/{uid}/fhir: the study's AI result as a FHIR R4 Bundle (<see cref="FhirReport"/>), in the
/// same scope as GET /api/studies/{uid} (403/404 outside it), as application/fhir+json.</summary>
internal static class FhirEndpoints
{
    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    public static void Map(RouteGroupBuilder api) => api.MapGet("/studies/{uid}/fhir", FhirAsync);

    private static async Task<IResult> FhirAsync(HttpContext ctx, string uid, ITriageStore store, IServiceProvider services)
    {
        var session = Sessions.Current(ctx);
        var detail = await store.StudyAsync(uid, Sessions.ScopeOf(session), ctx.RequestAborted).ConfigureAwait(false);
        if (detail is null)
        {
            return ApiJson.Error(404, "no such study");
        }
        if (!(await ReaderView.ForAsync(session, store, ctx.RequestAborted).ConfigureAwait(false)).ShowsModelOutput(detail.Study.Clinic, detail.Study.Status))
        {
            return ApiJson.Error(403, ReaderView.Hidden);
        }
        await store.AuditAsync("study.fhir", session.Username, uid, null, ctx.RequestAborted).ConfigureAwait(false);
        var registry = services.GetService<ModelRegistry>();
        var codes = registry is null ? LabelCodes.None : new LabelCodes(registry.Models.Select(m => m.Manifest));
        var bundle = FhirReport.Create(detail, codes.For, DateTimeOffset.UtcNow);
        return Results.Text(JsonSerializer.Serialize(bundle, Json), "application/fhir+json; charset=utf-8");
    }
}
