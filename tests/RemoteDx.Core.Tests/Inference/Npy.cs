using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace RemoteDx.Core.Tests.Inference;

/// <summary>Reads and writes the .npy arrays the numpy/torch references exchange with the tests (little-endian
/// float32/float64, C order).</summary>
internal static partial class Npy
{
    public static (double[] Data, int[] Shape) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
        {
            throw new InvalidDataException($"{path} is not a .npy file");
        }
        int headerLen, offset;
        if (bytes[6] == 1)
        {
            headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
            offset = 10;
        }
        else
        {
            headerLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
            offset = 12;
        }
        var header = Encoding.ASCII.GetString(bytes, offset, headerLen);
        var descr = Descr().Match(header).Groups[1].Value;
        if (header.Contains("'fortran_order': True"))
        {
            throw new InvalidDataException("fortran order");
        }
        var shape = Shape().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        var count = shape.Aggregate(1, (a, b) => a * b);
        var data = new double[count];
        var body = bytes.AsSpan(offset + headerLen);
        for (var i = 0; i < count; i++)
        {
            data[i] = descr switch
            {
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(body[(i * 4)..]),
                "<f8" => BinaryPrimitives.ReadDoubleLittleEndian(body[(i * 8)..]),
                _ => throw new InvalidDataException($"dtype {descr} not handled"),
            };
        }
        return (data, shape);
    }

    public static void WriteFloat32(string path, ReadOnlySpan<float> data, params int[] shape)
    {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + string.Join(", ", shape) + (shape.Length == 1 ? "," : "") + "), }";
        var total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var f = File.Create(path);
        f.Write([0x93, .. "NUMPY"u8, 1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        f.Write(len);
        f.Write(Encoding.ASCII.GetBytes(header));
        Span<byte> b = stackalloc byte[4];
        foreach (var v in data)
        {
            BinaryPrimitives.WriteSingleLittleEndian(b, v);
            f.Write(b);
        }
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex Descr();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex Shape();
}
