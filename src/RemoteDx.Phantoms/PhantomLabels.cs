namespace RemoteDx.Phantoms;

/// <summary>Label names, in the order of the model's score columns and of labels.csv.</summary>
public static class PhantomLabels
{
    public static IReadOnlyList<string> Names { get; } = ["nodule", "consolidation", "effusion", "pneumothorax", "cardiomegaly"];

    public static int Count => Names.Count;

    public static string Name(Finding finding) => Names[(int)finding];
}
