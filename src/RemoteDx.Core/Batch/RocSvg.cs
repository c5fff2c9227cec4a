using System.Globalization;
using System.Net;
using System.Text;

namespace RemoteDx.Core.Batch;

/// <summary>A ROC curve as a small self-contained SVG: axes with a 0.2 grid, the chance diagonal, the curve, and the
/// operating points at the manifest threshold (filled) and at the target sensitivity (hollow).</summary>
public static class RocSvg
{
    private const int Size = 360;
    private const int Margin = 48;

    public static string Draw(LabelValidation v)
    {
        var plot = Size - 2 * Margin;
        var sb = new StringBuilder();
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Size}\" height=\"{Size}\" viewBox=\"0 0 {Size} {Size}\" font-family=\"sans-serif\" font-size=\"11\">\n"));
        sb.Append(Inv($"<rect x=\"0\" y=\"0\" width=\"{Size}\" height=\"{Size}\" fill=\"white\"/>\n"));
        sb.Append(Inv($"<text x=\"{Size / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">{Esc(v.Model)} · {Esc(v.Label)} (AUC {Fmt(v.Auc)})</text>\n"));
        for (var i = 0; i <= 5; i++)
        {
            var t = i / 5.0;
            var x = X(t);
            var y = Y(t);
            sb.Append(Inv($"<line x1=\"{x:0.##}\" y1=\"{Y(0):0.##}\" x2=\"{x:0.##}\" y2=\"{Y(1):0.##}\" stroke=\"#e4e4e4\"/>\n"));
            sb.Append(Inv($"<line x1=\"{X(0):0.##}\" y1=\"{y:0.##}\" x2=\"{X(1):0.##}\" y2=\"{y:0.##}\" stroke=\"#e4e4e4\"/>\n"));
            sb.Append(Inv($"<text x=\"{x:0.##}\" y=\"{Y(0) + 14:0.##}\" text-anchor=\"middle\">{t:0.0}</text>\n"));
            sb.Append(Inv($"<text x=\"{X(0) - 6:0.##}\" y=\"{y + 4:0.##}\" text-anchor=\"end\">{t:0.0}</text>\n"));
        }
        sb.Append(Inv($"<rect x=\"{X(0)}\" y=\"{Y(1)}\" width=\"{plot}\" height=\"{plot}\" fill=\"none\" stroke=\"#444\"/>\n"));
        sb.Append(Inv($"<line x1=\"{X(0)}\" y1=\"{Y(0)}\" x2=\"{X(1)}\" y2=\"{Y(1)}\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n"));
        sb.Append(Inv($"<text x=\"{Size / 2}\" y=\"{Size - 10}\" text-anchor=\"middle\">1 − specificity (false positive rate)</text>\n"));
        sb.Append(Inv($"<text x=\"14\" y=\"{Size / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {Size / 2})\">sensitivity (true positive rate)</text>\n"));
        if (v.Positives > 0 && v.Negatives > 0)
        {
            sb.Append("<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\" points=\"");
            foreach (var p in v.Curve)
            {
                sb.Append(Inv($"{X(p.Fpr):0.##},{Y(p.Tpr):0.##} "));
            }
            sb.Append("\"/>\n");
            if (!double.IsNaN(v.Sensitivity) && !double.IsNaN(v.Specificity))
            {
                sb.Append(Inv($"<circle cx=\"{X(1 - v.Specificity):0.##}\" cy=\"{Y(v.Sensitivity):0.##}\" r=\"4.5\" fill=\"#d9480f\"><title>manifest threshold {v.Threshold}</title></circle>\n"));
            }
            if (v.AtTargetSensitivity is { } t)
            {
                sb.Append(Inv($"<circle cx=\"{X(t.Fpr):0.##}\" cy=\"{Y(t.Tpr):0.##}\" r=\"4.5\" fill=\"none\" stroke=\"#2b8a3e\" stroke-width=\"2\"><title>threshold {t.Threshold:G6} for the target sensitivity</title></circle>\n"));
            }
        }
        else
        {
            sb.Append(Inv($"<text x=\"{Size / 2}\" y=\"{Size / 2}\" text-anchor=\"middle\">no curve: {v.Positives} positive, {v.Negatives} negative cases</text>\n"));
        }
        sb.Append("</svg>\n");
        return sb.ToString();

        double X(double fpr) => Margin + fpr * plot;
        double Y(double tpr) => Size - Margin - tpr * plot;
    }

    private static string Fmt(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Esc(string s) => WebUtility.HtmlEncode(s);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
