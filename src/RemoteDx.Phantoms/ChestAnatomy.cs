namespace RemoteDx.Phantoms;

/// <summary>One patient's chest, in millimetres, in the patient frame: x to the image's right (the patient's left on a
/// PA or AP view as displayed), y downwards, origin at the detector centre.</summary>
public sealed record ChestAnatomy
{
    /// <summary>Overall size factor (patient size variation).</summary>
    public required double Scale { get; init; }

    /// <summary>Soft-tissue build: scales chest wall and body depth.</summary>
    public required double Build { get; init; }

    public required char Sex { get; init; }

    public required int Age { get; init; }

    /// <summary>Half the inner thoracic width at its widest (the lateral lung borders).</summary>
    public required double HalfWidth { get; init; }

    /// <summary>Top of the lung apices.</summary>
    public required double ApexY { get; init; }

    /// <summary>Left costophrenic angle; the right one is <see cref="RightDomeRaise"/> higher.</summary>
    public required double CostophrenicY { get; init; }

    public required double RightDomeRaise { get; init; }

    /// <summary>How far each dome's top rises above its costophrenic angle.</summary>
    public required double DomeHeight { get; init; }

    public required double ChestWall { get; init; }

    /// <summary>Anteroposterior body diameter at the chest.</summary>
    public required double BodyDepth { get; init; }

    /// <summary>Largest anteroposterior depth of aerated lung.</summary>
    public required double LungDepth { get; init; }

    /// <summary>Cardiothoracic ratio as drawn: heart width over inner thoracic width.</summary>
    public required double CardiothoracicRatio { get; init; }

    /// <summary>Share of the heart's width right of the midline.</summary>
    public required double HeartRightShare { get; init; }

    /// <summary>Tilt of the heart's long axis below the horizontal, radians (apex down and to the patient's left).</summary>
    public required double HeartTilt { get; init; }

    /// <summary>Minor over major half-axis of the cardiac silhouette.</summary>
    public required double HeartRoundness { get; init; }

    public required double AorticKnob { get; init; }

    public required double MediastinumHalfWidth { get; init; }

    public required double RibSpacing { get; init; }

    public required double RibWidth { get; init; }

    public required bool GastricBubble { get; init; }

    /// <summary>Peak soft-tissue thickness of the breast shadows (0 for none).</summary>
    public required double BreastShadow { get; init; }

    /// <summary>Lateral shift of the spinous line, mm (mild scoliosis or rotation of the spine).</summary>
    public required double SpineShift { get; init; }

    public static ChestAnatomy Sample(PhantomRandom rng, PhantomFindings findings, ProjectionView view)
    {
        var sex = rng.Chance(0.5) ? 'F' : 'M';
        var scale = Math.Clamp(rng.Normal(sex == 'F' ? 0.94 : 1.03, 0.05), 0.84, 1.16);
        var build = Math.Clamp(rng.Normal(1.0, 0.12), 0.75, 1.35);
        var inspiration = view == ProjectionView.AP ? rng.Uniform(0.86, 0.97) : rng.Uniform(0.95, 1.05);
        var halfWidth = 142 * scale * rng.Uniform(0.95, 1.05);
        var apex = -20 - 138 * scale;
        var cp = -20 + 132 * scale * inspiration;
        // Cardiothoracic ratio: normal hearts stay well below 0.5 (a margin keeps the label unambiguous); an AP film's
        // magnification shows up as larger normal hearts. Cardiomegaly grades are ~0.54-0.58, 0.58-0.64, 0.64-0.72.
        var ctr = findings[Finding.Cardiomegaly] switch
        {
            0 => view == ProjectionView.AP ? rng.Uniform(0.40, 0.47) : rng.Uniform(0.36, 0.46),
            1 => rng.Uniform(0.54, 0.58),
            2 => rng.Uniform(0.58, 0.64),
            _ => rng.Uniform(0.64, 0.72),
        };
        return new ChestAnatomy
        {
            Scale = scale,
            Build = build,
            Sex = sex,
            Age = rng.Next(22, 88),
            HalfWidth = halfWidth,
            ApexY = apex,
            CostophrenicY = cp,
            RightDomeRaise = rng.Uniform(8, 22) * scale,
            DomeHeight = rng.Uniform(32, 52) * scale * inspiration,
            ChestWall = rng.Uniform(22, 34) * build,
            BodyDepth = rng.Uniform(200, 235) * scale * build,
            LungDepth = rng.Uniform(140, 170) * scale,
            CardiothoracicRatio = ctr,
            HeartRightShare = rng.Uniform(0.27, 0.36),
            HeartTilt = rng.Uniform(0.35, 0.6),
            HeartRoundness = rng.Uniform(0.72, 0.86),
            AorticKnob = rng.Uniform(10, 20) * scale,
            MediastinumHalfWidth = rng.Uniform(24, 32) * scale,
            RibSpacing = rng.Uniform(23, 27) * scale,
            RibWidth = rng.Uniform(9, 11.5) * scale,
            GastricBubble = rng.Chance(0.7),
            BreastShadow = sex == 'F' ? rng.Uniform(6, 20) * build : 0,
            SpineShift = rng.Normal(0, 3),
        };
    }
}
