namespace RemoteDx.Phantoms;

/// <summary>The findings a chest phantom can carry; <see cref="PhantomLabels.Names"/> spells them as the model
/// manifest and the viewer do.</summary>
public enum Finding
{
    Nodule = 0,
    Consolidation = 1,
    Effusion = 2,
    Pneumothorax = 3,
    Cardiomegaly = 4,
}
