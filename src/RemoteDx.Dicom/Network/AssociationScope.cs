using System.Collections;

namespace RemoteDx.Dicom.Network;

/// <summary>The logging scope of one association: structured properties for structured sinks and a short readable
/// form for the console.</summary>
internal sealed class AssociationScope(AssociationInfo info) : IReadOnlyList<KeyValuePair<string, object>>
{
    private readonly KeyValuePair<string, object>[] _items =
    [
        new("AssociationId", info.Id),
        new("CallingAE", info.CallingAE),
        new("CalledAE", info.CalledAE),
        new("Peer", info.Remote.ToString()),
    ];

    public KeyValuePair<string, object> this[int index] => _items[index];

    public int Count => _items.Length;

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"assoc {info.Id} {info.CallingAE}->{info.CalledAE} from {info.Remote}";
}
