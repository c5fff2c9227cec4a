namespace RemoteDx.Core;

/// <summary>Marker for the triage domain assembly (archive, stores, inference arrive with their issues).</summary>
public static class CoreAssembly
{
    public const string Name = "RemoteDx.Core";
}
