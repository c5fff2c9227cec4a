using System.Globalization;
using System.Numerics;

namespace RemoteDx.Testing;

public static class TestUids
{
    /// <summary>A fresh UID under 2.25 (PS3.5 B.2: a UUID as one decimal integer), so tests never collide in a shared
    /// archive or index.</summary>
    public static string New() =>
        "2.25." + new BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true).ToString(CultureInfo.InvariantCulture);
}
