namespace RemoteDx.Phantoms;

/// <summary>What the chest renderer drew, in the patient frame (square, <see cref="Size"/> pixels of
/// <see cref="Spacing"/> mm, centred): the attenuation line integral and the masks the labels are checked against.</summary>
public sealed class ChestLayers(int size, double spacing)
{
    public int Size { get; } = size;

    public double Spacing { get; } = spacing;

    /// <summary>Line integral of the attenuation coefficient (dimensionless, -ln of the primary transmission).</summary>
    public float[] Attenuation { get; } = new float[size * size];

    /// <summary>Projected thickness of the drawn lung vessels (mm), after clipping to aerated lung.</summary>
    public float[] Vessels { get; } = new float[size * size];

    public bool[] Heart { get; } = new bool[size * size];

    /// <summary>The thoracic cavity, between the inner rib margins, apices and domes.</summary>
    public bool[] Thorax { get; } = new bool[size * size];

    /// <summary>Aerated lung fields (outside the cardiac silhouette).</summary>
    public bool[] Lungs { get; } = new bool[size * size];

    /// <summary>Pleural air of a pneumothorax (where the lung has collapsed away).</summary>
    public bool[] Pneumothorax { get; } = new bool[size * size];

    public double X(int column) => (column + 0.5 - Size / 2.0) * Spacing;

    public double Y(int row) => (row + 0.5 - Size / 2.0) * Spacing;

    /// <summary>Cardiothoracic ratio measured on the masks: the widest horizontal extent of the heart over the widest
    /// row of the thoracic cavity (the PA-film definition, Danzer 1919).</summary>
    public double MeasureCardiothoracicRatio()
    {
        int heartMin = int.MaxValue, heartMax = -1;
        var thoraxWidth = 0;
        for (var r = 0; r < Size; r++)
        {
            int tMin = int.MaxValue, tMax = -1;
            var row = r * Size;
            for (var c = 0; c < Size; c++)
            {
                if (Heart[row + c])
                {
                    heartMin = Math.Min(heartMin, c);
                    heartMax = Math.Max(heartMax, c);
                }
                if (Thorax[row + c])
                {
                    tMin = Math.Min(tMin, c);
                    tMax = Math.Max(tMax, c);
                }
            }
            if (tMax >= 0)
            {
                thoraxWidth = Math.Max(thoraxWidth, tMax - tMin + 1);
            }
        }
        return heartMax < 0 || thoraxWidth == 0 ? 0 : (heartMax - heartMin + 1) / (double)thoraxWidth;
    }
}
