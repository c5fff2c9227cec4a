using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RemoteDx.Dicom;
using RemoteDx.Dicom.Network;

namespace RemoteDx.Bench;

/// <summary>
/// remotedx-bench pipeline --dicom-port P --http URL --user U --password W (--rate R | --saturate C) --count N FILE...
///
/// Sends N single-image studies to a running `remotedx serve` (each file re-identified with fresh Study/Series/SOP
/// Instance UIDs, so every send is a new study), either R studies per second on one association each, or with C
/// concurrent senders as fast as the service accepts them. A poller reads GET /api/worklist every 20 ms; the
/// latency of a study is from its C-STORE response (0000) to the first worklist answer that shows it scored
/// (status no longer "scoring", scored = instances). Prints p50/p95/max and the achieved rate.
/// </summary>
public static class PipelineBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        int port = 11112, count = 60, saturate = 0;
        double rate = 1;
        string http = "http://127.0.0.1:8080", user = "", password = "";
        var files = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dicom-port": port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--http": http = args[++i]; break;
                case "--user": user = args[++i]; break;
                case "--password": password = args[++i]; break;
                case "--rate": rate = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--saturate": saturate = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--count": count = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: files.Add(args[i]); break;
            }
        }
        var templates = files.Select(f => DicomFile.Open(f)).ToArray();
        foreach (var t in templates)
        {
            _ = PixelDataDecoder.DecodeFrame(t, 0).Length; // load lazily read pixel data now
        }
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(http) };
        (await client.PostAsJsonAsync("/api/login", new { username = user, password })).EnsureSuccessStatusCode();

        var stored = new ConcurrentDictionary<string, long>();
        var seen = new ConcurrentDictionary<string, long>();
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var json = await client.GetStringAsync("/api/worklist?sort=received&pageSize=500");
                var now = Stopwatch.GetTimestamp();
                using var doc = JsonDocument.Parse(json);
                foreach (var item in doc.RootElement.GetProperty("items").EnumerateArray())
                {
                    var uid = item.GetProperty("studyInstanceUid").GetString()!;
                    if (item.GetProperty("status").GetString() != "scoring"
                        && item.GetProperty("scored").GetInt32() >= item.GetProperty("instances").GetInt32())
                    {
                        seen.TryAdd(uid, now);
                    }
                }
                await Task.Delay(20);
            }
        });

        var started = Stopwatch.GetTimestamp();
        var next = -1;
        async Task SendOne(int i)
        {
            var file = Reidentify(templates[i % templates.Length], i);
            var uid = file.Dataset.GetString(Tag.StudyInstanceUID)!;
            await using var scu = await DicomClient.ConnectAsync(
                new DicomClientOptions { Host = "127.0.0.1", Port = port, CallingAE = "BENCH", CalledAE = "REMOTEDX" },
                Proposals(file));
            var status = await scu.StoreAsync(file);
            stored[uid] = Stopwatch.GetTimestamp();
            if (status.Code != 0)
            {
                throw new InvalidOperationException($"C-STORE answered {status.Code:X4}");
            }
            await scu.ReleaseAsync();
        }
        if (saturate > 0)
        {
            await Task.WhenAll(Enumerable.Range(0, saturate).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    await SendOne(i);
                }
            })));
        }
        else
        {
            var sends = new List<Task>();
            for (var i = 0; i < count; i++)
            {
                var due = started + (long)(i / rate * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
                sends.Add(SendOne(i));
            }
            await Task.WhenAll(sends);
        }
        var sendSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var deadline = Stopwatch.GetTimestamp() + 300 * Stopwatch.Frequency;
        while (stored.Keys.Any(k => !seen.ContainsKey(k)) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }
        var allSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        await poller;
        var latencies = stored.Where(kv => seen.ContainsKey(kv.Key))
            .Select(kv => Math.Max(0, (seen[kv.Key] - kv.Value) / (double)Stopwatch.Frequency)).Order().ToArray();
        double P(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mode={(saturate > 0 ? $"saturate:{saturate}" : $"rate:{rate}/s")} studies={count} scored={latencies.Length} " +
            $"send_rate={count / sendSeconds:F2}/s throughput={latencies.Length / allSeconds:F2}/s " +
            $"p50_s={P(0.5):F3} p95_s={P(0.95):F3} max_s={P(1):F3}"));
        return latencies.Length == count ? 0 : 1;
    }

    private static IReadOnlyList<PresentationContextProposal> Proposals(DicomFile file)
    {
        var sop = file.Dataset.GetString(Tag.SOPClassUID)!;
        return [new PresentationContextProposal(sop, [file.TransferSyntax.Uid])];
    }

    /// <summary>The template with new Study, Series and SOP Instance UIDs (2.25 form), as a new study.</summary>
    private static DicomFile Reidentify(DicomFile template, int i)
    {
        var ds = new Dataset();
        foreach (var e in template.Dataset)
        {
            ds.Set(e);
        }
        string Uid() => "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray().Append((byte)0).ToArray()).ToString(CultureInfo.InvariantCulture);
        ds.SetString(Tag.StudyInstanceUID, Uid());
        ds.SetString(Tag.SeriesInstanceUID, Uid());
        ds.SetString(Tag.SOPInstanceUID, Uid());
        var file = new DicomFile(ds, template.TransferSyntax);
        file.BuildFileMetaInformation("BENCH");
        return file;
    }
}
