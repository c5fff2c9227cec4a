using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RemoteDx.Core.Security;

/// <summary>What a stored hash says about a password.</summary>
public enum PasswordVerdict
{
    Failed,
    Success,

    /// <summary>Right password, but the hash is older or weaker than <see cref="PasswordHasher.Hash"/> writes today.</summary>
    SuccessRehashNeeded,
}

/// <summary>The one home of web viewer password hashing (`users add|passwd` and `POST /api/login`). The stored form is
/// ASP.NET Core Identity's <c>PasswordHasher</c> format, so databases written before this type existed keep working:
/// base64 of 0x01 | PRF (uint32 BE: 0 HMAC-SHA1, 1 HMAC-SHA256, 2 HMAC-SHA512) | iterations (uint32 BE) | salt length
/// (uint32 BE) | salt | PBKDF2 subkey ("v3"), or 0x00 | 16-byte salt | 32-byte subkey, PBKDF2-HMAC-SHA1 × 1000 ("v2",
/// verified only, then rehashed).</summary>
public static class PasswordHasher
{
    /// <summary>The shortest password an account may have (checked where a password is set, not at login).</summary>
    public const int MinimumLength = 8;

    private const byte V2Marker = 0x00;
    private const byte V3Marker = 0x01;
    private const int Iterations = 100_000;
    private const int SaltBytes = 16;
    private const int SubkeyBytes = 32;
    private const uint PrfSha512 = 2;

    // Verified against when the user does not exist, so the answer takes as long either way.
    private static readonly string DummyHash = Hash(Guid.NewGuid().ToString());

    /// <summary>A fresh v3 hash: PBKDF2-HMAC-SHA512, 100 000 iterations, 128-bit salt, 256-bit subkey (Identity's
    /// defaults since .NET 7).</summary>
    public static string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        Span<byte> output = stackalloc byte[13 + SaltBytes + SubkeyBytes];
        output[0] = V3Marker;
        BinaryPrimitives.WriteUInt32BigEndian(output[1..], PrfSha512);
        BinaryPrimitives.WriteUInt32BigEndian(output[5..], Iterations);
        BinaryPrimitives.WriteUInt32BigEndian(output[9..], SaltBytes);
        var salt = output.Slice(13, SaltBytes);
        RandomNumberGenerator.Fill(salt);
        Rfc2898DeriveBytes.Pbkdf2(password, salt, output[(13 + SaltBytes)..], Iterations, HashAlgorithmName.SHA512);
        return Convert.ToBase64String(output);
    }

    /// <summary>Checks a password against a stored hash in constant time for the hash's parameters; a malformed hash
    /// fails rather than throwing.</summary>
    public static PasswordVerdict Verify(string storedHash, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(storedHash);
        }
        catch (FormatException)
        {
            return PasswordVerdict.Failed;
        }
        return decoded switch
        {
            [V2Marker, ..] when decoded.Length == 1 + 16 + 32 =>
                Matches(password, decoded.AsSpan(1, 16), decoded.AsSpan(17), 1000, HashAlgorithmName.SHA1)
                    ? PasswordVerdict.SuccessRehashNeeded : PasswordVerdict.Failed,
            [V3Marker, ..] => VerifyV3(decoded, password),
            _ => PasswordVerdict.Failed,
        };
    }

    /// <summary>The work of a verification for a user that does not exist, so a login answer does not reveal which
    /// usernames exist by how long it takes.</summary>
    public static PasswordVerdict VerifyWithoutUser(string password)
    {
        Verify(DummyHash, password);
        return PasswordVerdict.Failed;
    }

    private static PasswordVerdict VerifyV3(byte[] decoded, string password)
    {
        if (decoded.Length < 13)
        {
            return PasswordVerdict.Failed;
        }
        var prf = BinaryPrimitives.ReadUInt32BigEndian(decoded.AsSpan(1));
        var iterations = BinaryPrimitives.ReadUInt32BigEndian(decoded.AsSpan(5));
        var saltLength = BinaryPrimitives.ReadUInt32BigEndian(decoded.AsSpan(9));
        HashAlgorithmName? algorithm = prf switch
        {
            0 => HashAlgorithmName.SHA1,
            1 => HashAlgorithmName.SHA256,
            2 => HashAlgorithmName.SHA512,
            _ => null,
        };
        // Identity refuses salts and subkeys under 128 bits; so do we.
        if (algorithm is not { } alg || iterations is 0 or > int.MaxValue || saltLength < 16 || saltLength > decoded.Length - 13
            || decoded.Length - 13 - (int)saltLength < 16)
        {
            return PasswordVerdict.Failed;
        }
        var salt = decoded.AsSpan(13, (int)saltLength);
        var subkey = decoded.AsSpan(13 + (int)saltLength);
        if (!Matches(password, salt, subkey, (int)iterations, alg))
        {
            return PasswordVerdict.Failed;
        }
        return iterations < Iterations || prf != PrfSha512 ? PasswordVerdict.SuccessRehashNeeded : PasswordVerdict.Success;
    }

    private static bool Matches(string password, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> expected, int iterations, HashAlgorithmName algorithm)
    {
        var actual = expected.Length <= 256 ? stackalloc byte[expected.Length] : new byte[expected.Length];
        Rfc2898DeriveBytes.Pbkdf2(password, salt, actual, iterations, algorithm);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
