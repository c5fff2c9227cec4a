using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace RemoteDx.Core.Results;

/// <summary>UIDs for the objects RemoteDx creates, under the 2.25 root (PS3.5 B.2: a UUID as one integer), as
/// <see cref="RemoteDx.Dicom.DicomFile.ImplementationClassUid"/> is.</summary>
public static class ResultUids
{
    /// <summary>A fresh UID from a random (version 4) UUID.</summary>
    public static string New() => FromUuid(RandomNumberGenerator.GetBytes(16), version: 4);

    /// <summary>A UID that is always the same for the same key (an RFC 9562 version 8 UUID from its SHA-256), so the
    /// results series of a study keeps its UID however often the study is scored.</summary>
    public static string Derived(string key) => FromUuid(SHA256.HashData(Encoding.UTF8.GetBytes("remotedx-results/" + key))[..16], version: 8);

    private static string FromUuid(byte[] uuid, int version)
    {
        uuid[6] = (byte)((uuid[6] & 0x0F) | (version << 4));
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        return "2.25." + new BigInteger(uuid, isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture);
    }
}
