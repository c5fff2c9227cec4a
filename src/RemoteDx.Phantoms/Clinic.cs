namespace RemoteDx.Phantoms;

/// <summary>A sending site: its Institution Name, the calling AE title its modality uses, and its station.</summary>
public sealed record Clinic(string InstitutionName, string AeTitle, string StationName, string City)
{
    /// <summary>The synthetic clinics phantoms come from.</summary>
    public static IReadOnlyList<Clinic> All { get; } =
    [
        new("Northside Community Clinic", "CLINIC_A", "NSCC-DR1", "Northside"),
        new("Lakeview Rural Health Centre", "CLINIC_B", "LRHC-CR1", "Lakeview"),
        new("Harbour Street Medical Practice", "CLINIC_C", "HSMP-DR2", "Harbour Bay"),
    ];
}
