using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RemoteDx.Core.Store;
using RemoteDx.Dicom;
using RemoteDx.Dicom.IO;

namespace RemoteDx.Api;

/// <summary>GET /api/instances/{sop}/header: the archived data set's elements as JSON for the viewer's header view
/// (docs/api.md "Instance header"): file meta information and data set, sequences nested, no Pixel Data, values cut
/// at 256 characters. Same scope as the image endpoints; each view is audited (it shows patient data).</summary>
internal static class HeaderEndpoint
{
    private const int MaxValueChars = 256;

    public static void Map(RouteGroupBuilder api) => api.MapGet("/instances/{sop}/header", HeaderAsync);

    private static async Task<IResult> HeaderAsync(HttpContext ctx, string sop, ITriageStore store)
    {
        var session = Sessions.Current(ctx);
        var at = await store.InstanceAsync(sop, Sessions.ScopeOf(session), ctx.RequestAborted).ConfigureAwait(false);
        if (at is null)
        {
            return ApiJson.Error(404, "no such instance");
        }
        // The image endpoints' answers for a broken archive: 404 when the file is gone, 422 when it cannot be read.
        var (file, failed) = await ImageEndpoints.FromArchivedFileAsync(ctx, "cannot read this file", () =>
            DicomReader.ReadFile(at.Path, new DicomReadOptions { LazyPixelData = true })).ConfigureAwait(false);
        if (failed is not null)
        {
            return failed;
        }
        await store.AuditAsync("instance.header", session.Username, at.StudyInstanceUid, at.SopInstanceUid, ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.Headers.CacheControl = "private, no-store";
        return Results.Json(new
        {
            sopInstanceUid = at.SopInstanceUid,
            transferSyntax = file!.TransferSyntax.Uid,
            maxValueChars = MaxValueChars,
            meta = HeaderListing.List(file.FileMetaInformation, MaxValueChars).Select(Element),
            elements = HeaderListing.List(file.Dataset, MaxValueChars).Select(Element),
        });
    }

    private static object Element(HeaderElement e) => new
    {
        tag = e.Tag,
        vr = e.VR,
        keyword = e.Keyword,
        value = e.Value,
        length = e.Length,
        truncated = e.Truncated,
        items = e.Items?.Select(i => i.Select(Element)),
    };
}
