using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace RemoteDx.Phantoms;

/// <summary>Deterministic UIDs for phantoms: the 2.25 root (PS3.5 B.2, a UUID as one integer), the UUID taken from a
/// SHA-256 of the seed, the case and the kind of object, with RFC 9562 version 8 and variant bits set. The same
/// generation always gives the same UIDs; different seeds or cases never collide in practice.</summary>
public static class PhantomUids
{
    public static string Create(long seed, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"remotedx-phantom/{seed}/{key}"));
        var uuid = hash.AsSpan(0, 16).ToArray();
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80);
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        var value = new BigInteger(uuid, isUnsigned: true, isBigEndian: true);
        return "2.25." + value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
