namespace RemoteDx.Phantoms;

public enum PhantomBodyPart
{
    Chest,

    /// <summary>A PA hand radiograph: a study no chest model applies to.</summary>
    Hand,
}
