using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace RemoteDx.Core.Batch;

/// <summary>Writes a validation report into a folder: <c>metrics.json</c> (every figure, the ROC points included),
/// <c>report.md</c> and <c>report.html</c> (the same tables, with the curves), and one <c>roc-MODEL-LABEL.svg</c>
/// per label.</summary>
public static class ValidationReportWriter
{
    public static void Write(ValidationReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        var svgs = new List<string>();
        foreach (var l in report.Labels)
        {
            var name = SvgName(l);
            File.WriteAllText(Path.Combine(folder, name), RocSvg.Draw(l));
            svgs.Add(name);
        }
        File.WriteAllText(Path.Combine(folder, "metrics.json"), Json(report));
        File.WriteAllText(Path.Combine(folder, "report.md"), Markdown(report));
        File.WriteAllText(Path.Combine(folder, "report.html"), Html(report, folder));
    }

    public static string SvgName(LabelValidation l) => $"roc-{Safe(l.Model)}-{Safe(l.Label)}.svg";

    private static string Safe(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }
        return sb.ToString();
    }

    public static string Json(ValidationReport r)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("labelsFile", r.LabelsFile);
            w.WriteNumber("targetSensitivity", r.TargetSensitivity);
            w.WriteStartObject("bootstrap");
            w.WriteNumber("resamples", r.Resamples);
            w.WriteNumber("seed", r.Seed);
            w.WriteNumber("level", 0.95);
            w.WriteString("method", "percentile");
            w.WriteEndObject();
            w.WriteStartObject("files");
            w.WriteNumber("labelled", r.FilesLabelled);
            w.WriteNumber("scored", r.FilesScored);
            w.WriteNumber("unscored", r.Unscored.Count);
            w.WriteNumber("scoredButNotLabelled", r.ScoredButNotLabelled);
            w.WriteEndObject();
            w.WriteStartArray("labels");
            foreach (var l in r.Labels)
            {
                w.WriteStartObject();
                w.WriteString("model", l.Model);
                w.WriteString("modelVersion", l.ModelVersion);
                w.WriteString("label", l.Label);
                w.WriteNumber("cases", l.Cases);
                w.WriteNumber("positives", l.Positives);
                w.WriteNumber("negatives", l.Negatives);
                Number(w, "auc", l.Auc);
                Number(w, "aucLow", l.AucInterval?.Low);
                Number(w, "aucHigh", l.AucInterval?.High);
                w.WriteNumber("bootstrapUsed", l.AucInterval?.Used ?? 0);
                w.WriteNumber("threshold", l.Threshold);
                Number(w, "sensitivity", l.Sensitivity);
                Number(w, "specificity", l.Specificity);
                Number(w, "thresholdForTarget", l.AtTargetSensitivity?.Threshold);
                Number(w, "sensitivityAtTarget", l.AtTargetSensitivity?.Tpr);
                Number(w, "specificityAtTarget", l.AtTargetSensitivity is { } t ? 1 - t.Fpr : null);
                w.WriteString("svg", SvgName(l));
                w.WriteStartArray("roc");
                foreach (var p in l.Curve)
                {
                    w.WriteStartObject();
                    Number(w, "threshold", double.IsInfinity(p.Threshold) ? null : p.Threshold);
                    Number(w, "fpr", p.Fpr);
                    Number(w, "tpr", p.Tpr);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("labelsNotInModels");
            foreach (var s in r.LabelsNotInModels)
            {
                w.WriteStringValue(s);
            }
            w.WriteEndArray();
            w.WriteStartArray("modelLabelsNotInLabelsFile");
            foreach (var s in r.ModelLabelsNotInCsv)
            {
                w.WriteStringValue(s);
            }
            w.WriteEndArray();
            w.WriteStartArray("unscoredFiles");
            foreach (var u in r.Unscored)
            {
                w.WriteStartObject();
                w.WriteString("file", u.File);
                w.WriteString("reason", u.Reason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>NaN and missing values are null (JSON has no NaN).</summary>
    private static void Number(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } d && double.IsFinite(d))
        {
            w.WriteNumber(name, d);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string F(double? v, string format = "0.000") =>
        v is { } d && double.IsFinite(d) ? d.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static IEnumerable<string[]> Rows(ValidationReport r)
    {
        yield return ["model", "label", "cases (pos/neg)", "AUC", "95% CI", "threshold", "sensitivity", "specificity",
            $"threshold for sensitivity ≥ {F(r.TargetSensitivity, "0.###")}", "sensitivity / specificity there"];
        foreach (var l in r.Labels)
        {
            var t = l.AtTargetSensitivity;
            yield return
            [
                $"{l.Model} {l.ModelVersion}", l.Label, $"{l.Cases} ({l.Positives}/{l.Negatives})", F(l.Auc),
                l.AucInterval is { } ci ? $"{F(ci.Low)}–{F(ci.High)}" : "n/a",
                F(l.Threshold, "0.###"), F(l.Sensitivity), F(l.Specificity),
                t is { } p ? F(p.Threshold, "0.####") : "n/a",
                t is { } q ? $"{F(q.Tpr)} / {F(1 - q.Fpr)}" : "n/a",
            ];
        }
    }

    private static IEnumerable<string> Notes(ValidationReport r)
    {
        yield return $"Labels file: `{r.LabelsFile}` — {r.FilesLabelled} files labelled, {r.FilesScored} scored, " +
            $"{r.Unscored.Count} without scores, {r.ScoredButNotLabelled} scored but not in the labels file.";
        yield return $"AUC: Mann–Whitney (ties count ½), equal to scikit-learn's roc_auc_score. 95% CI: percentile bootstrap, " +
            $"{r.Resamples} resamples of the cases with replacement, seed {r.Seed} (resamples holding one class are left out). " +
            "Positive means probability ≥ threshold.";
        if (r.LabelsNotInModels.Count > 0)
        {
            yield return "Labels in the labels file that no selected model has: " + string.Join(", ", r.LabelsNotInModels) + ".";
        }
        if (r.ModelLabelsNotInCsv.Count > 0)
        {
            yield return "Model labels missing from the labels file (not validated): " + string.Join(", ", r.ModelLabelsNotInCsv) + ".";
        }
    }

    public static string Markdown(ValidationReport r)
    {
        var sb = new StringBuilder("# Model validation\n\n");
        foreach (var n in Notes(r))
        {
            sb.Append(n).Append("\n\n");
        }
        var first = true;
        foreach (var row in Rows(r))
        {
            sb.Append("| ").Append(string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal)))).Append(" |\n");
            if (first)
            {
                sb.Append('|').Append(string.Concat(Enumerable.Repeat("---|", row.Length))).Append('\n');
                first = false;
            }
        }
        sb.Append('\n');
        foreach (var l in r.Labels)
        {
            sb.Append($"![ROC {l.Model} {l.Label}]({SvgName(l)})\n");
        }
        if (r.Unscored.Count > 0)
        {
            sb.Append("\n## Files without scores\n\n");
            foreach (var u in r.Unscored.Take(100))
            {
                sb.Append($"- `{u.File}`: {u.Reason}\n");
            }
            if (r.Unscored.Count > 100)
            {
                sb.Append($"- … and {r.Unscored.Count - 100} more (metrics.json lists them all)\n");
            }
        }
        return sb.ToString();
    }

    public static string Html(ValidationReport r, string folder)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Model validation</title>\n");
        sb.Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}figure{display:inline-block;margin:8px}</style>\n");
        sb.Append("</head><body>\n<h1>Model validation</h1>\n");
        foreach (var n in Notes(r))
        {
            sb.Append("<p>").Append(E(n).Replace("`", "", StringComparison.Ordinal)).Append("</p>\n");
        }
        sb.Append("<table>\n");
        var first = true;
        foreach (var row in Rows(r))
        {
            var cell = first ? "th" : "td";
            sb.Append("<tr>").Append(string.Concat(row.Select(c => $"<{cell}>{E(c)}</{cell}>"))).Append("</tr>\n");
            first = false;
        }
        sb.Append("</table>\n");
        foreach (var l in r.Labels)
        {
            // Inline, so the report is one file that can be mailed; the .svg files are beside it too.
            sb.Append("<figure>").Append(File.ReadAllText(Path.Combine(folder, SvgName(l)))).Append("</figure>\n");
        }
        if (r.Unscored.Count > 0)
        {
            sb.Append("<h2>Files without scores</h2>\n<ul>\n");
            foreach (var u in r.Unscored.Take(100))
            {
                sb.Append($"<li><code>{E(u.File)}</code>: {E(u.Reason)}</li>\n");
            }
            sb.Append("</ul>\n");
        }
        sb.Append("</body></html>\n");
        return sb.ToString();
    }
}
