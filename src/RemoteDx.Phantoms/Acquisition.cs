namespace RemoteDx.Phantoms;

/// <summary>How one radiograph was taken and stored: projection, positioning, technique, scatter, detector response
/// and the DICOM encoding.</summary>
public sealed record Acquisition
{
    public required ProjectionView View { get; init; }

    /// <summary>"DX" or "CR".</summary>
    public required string Modality { get; init; }

    /// <summary>"MONOCHROME1" or "MONOCHROME2".</summary>
    public required string Photometric { get; init; }

    public required PixelEncoding Encoding { get; init; }

    /// <summary>In-plane rotation of the patient, degrees.</summary>
    public required double RotationDegrees { get; init; }

    public required double ShiftX { get; init; }

    public required double ShiftY { get; init; }

    /// <summary>Exposure relative to a nominal one (mAs ratio).</summary>
    public required double ExposureFactor { get; init; }

    /// <summary>Scatter-to-primary ratio (a grid keeps it low on PA views).</summary>
    public required double ScatterToPrimary { get; init; }

    /// <summary>Photons per mm² reaching the detector without attenuation at the nominal exposure.</summary>
    public required double PhotonsPerMm2 { get; init; }

    /// <summary>Stored values per unit of log exposure.</summary>
    public required double Gain { get; init; }

    public required double Offset { get; init; }

    /// <summary>Heel effect: relative exposure change from the top to the bottom of the field.</summary>
    public required double Heel { get; init; }

    /// <summary>Collimator margins from the detector edges, mm: left, top, right, bottom.</summary>
    public required (double Left, double Top, double Right, double Bottom) Collimation { get; init; }

    public required double KVp { get; init; }

    public required double MilliampereSeconds { get; init; }

    public required double SourceToDetectorMm { get; init; }

    /// <summary>Strength of the "for presentation" processing: unsharp masking of the log image, which raises local
    /// contrast (vessels, nodules, edges) against the broad range from mediastinum to lung.</summary>
    public required double Enhancement { get; init; }

    public static Acquisition Sample(PhantomRandom rng, ProjectionView view, PixelEncoding? encoding = null)
    {
        var ap = view == ProjectionView.AP;
        var dx = rng.Chance(ap ? 0.5 : 0.65);
        var mas = ap ? rng.Uniform(1.6, 4) : rng.Uniform(1.2, 3.2);
        var photometric = rng.Chance(dx ? 0.3 : 0.6) ? "MONOCHROME1" : "MONOCHROME2";
        // Drawn even when the caller fixes the encoding, so the pixels do not depend on how they are stored.
        var storage = rng.NextDouble();
        return new Acquisition
        {
            View = view,
            Modality = dx ? "DX" : "CR",
            Photometric = photometric,
            Encoding = encoding ?? storage switch
            {
                < 0.6 => PixelEncoding.Native,
                < 0.8 => PixelEncoding.Rle,
                _ => PixelEncoding.JpegLossless,
            },
            RotationDegrees = rng.Normal(0, ap ? 2.5 : 1.5),
            ShiftX = rng.Normal(0, ap ? 12 : 7),
            ShiftY = rng.Normal(ap ? -8 : 0, ap ? 14 : 8),
            ExposureFactor = mas / (ap ? 2.6 : 2.0),
            ScatterToPrimary = ap ? rng.Uniform(0.6, 1.1) : rng.Uniform(0.2, 0.45),
            PhotonsPerMm2 = rng.Uniform(1.0e5, 1.8e5),
            Gain = rng.Uniform(470, 560),
            Offset = rng.Uniform(250, 480),
            Heel = rng.Uniform(-0.08, 0.08),
            Collimation = (rng.Uniform(4, 30), rng.Uniform(4, 24), rng.Uniform(4, 30), rng.Uniform(4, 30)),
            KVp = ap ? Math.Round(rng.Uniform(85, 100)) : Math.Round(rng.Uniform(110, 125)),
            MilliampereSeconds = Math.Round(mas, 1),
            SourceToDetectorMm = ap ? 1000 : 1800,
            Enhancement = rng.Uniform(0.5, 1.0),
        };
    }
}
