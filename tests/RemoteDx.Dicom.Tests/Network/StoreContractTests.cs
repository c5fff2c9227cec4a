using RemoteDx.Dicom.IO;
using RemoteDx.Dicom.Network;
using RemoteDx.Testing;

namespace RemoteDx.Dicom.Tests.Network;

/// <summary>The storage service's contract with its handler: the destination is asked for explicitly, the Part 10 header
/// is ours, and every failure on the way becomes a status at the one boundary while the association goes on.</summary>
public sealed class StoreContractTests
{
    private const string CtImage = "1.2.840.10008.5.1.4.1.1.2";

    private static Task<DicomClient> ConnectAsync(TestServer s, string callingAe = "SCU_A") =>
        DicomClient.ConnectAsync(new DicomClientOptions { Host = "127.0.0.1", Port = s.Port, CalledAE = "REMOTEDX", CallingAE = callingAe },
            [new PresentationContextProposal(CtImage, [TransferSyntax.ExplicitVRLittleEndian.Uid])]);

    [Fact]
    public async Task The_handler_names_the_destination_once_per_C_STORE_and_the_server_writes_the_Part10_header_it_asked_for()
    {
        await using var s = await TestServer.StartAsync();
        s.Handler.Destination = new StoreDestination(Path.Combine(s.TempDir, "nested"), WritePart10Header: true);
        var file = Net.TestFile("CT_small.dcm");
        var original = DicomReader.ReadFile(file);
        await using (var client = await ConnectAsync(s))
        {
            Assert.Equal(0x0000, (await client.StoreAsync(file)).Code);
            await client.ReleaseAsync();
        }

        var command = Assert.Single(s.Handler.Prepared);
        Assert.Equal(CtImage, command.SopClassUid);
        Assert.Equal(original.Dataset.GetString(Tag.SOPInstanceUID), command.SopInstanceUid);
        Assert.Equal(TransferSyntax.ExplicitVRLittleEndian.Uid, command.TransferSyntax.Uid);
        var (request, copy) = Assert.Single(s.Handler.Stored);
        Assert.StartsWith(Path.Combine(s.TempDir, "nested"), request.DatasetPath, StringComparison.Ordinal);
        Assert.Equal(Part10Header.Read(copy).DatasetOffset, request.DatasetOffset);
        Assert.Equal(new FileInfo(copy).Length - request.DatasetOffset, request.DatasetLength);
        var stored = DicomReader.ReadFile(copy);
        Assert.Equal("SCU_A", stored.FileMetaInformation.GetString(Tag.SourceApplicationEntityTitle));
        Assert.Equal(command.SopInstanceUid, stored.FileMetaInformation.GetString(Tag.MediaStorageSOPInstanceUID));
        Assert.Equal(CtImage, stored.FileMetaInformation.GetString(Tag.MediaStorageSOPClassUID));
        Assert.Equal(DicomFile.ImplementationClassUid, stored.FileMetaInformation.GetString(Tag.ImplementationClassUID));
        Net.AssertSameDataset(original.Dataset, stored.Dataset, TransferSyntax.ExplicitVRLittleEndian);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(s.TempDir, "nested")));
    }

    [Fact]
    public async Task The_handler_gets_the_first_bytes_of_the_temp_file_in_memory_and_the_header_parses_from_them_alone()
    {
        await using var s = await TestServer.StartAsync();
        s.Handler.Destination = new StoreDestination(s.TempDir, WritePart10Header: true);
        var small = Net.TestFile("CT_small.dcm");
        await using (var client = await ConnectAsync(s))
        {
            Assert.Equal(0x0000, (await client.StoreAsync(small)).Code);
            await client.ReleaseAsync();
        }

        var (request, copy) = Assert.Single(s.Handler.Stored);
        var head = Assert.Single(s.Handler.Heads);
        var file = await File.ReadAllBytesAsync(copy);
        Assert.Equal(file.AsSpan(0, Math.Min(file.Length, 64 * 1024)).ToArray(), head);
        var fromHead = DicomReader.ReadDatasetFile(copy, head, file.Length, request.TransferSyntax, new DicomReadOptions { LazyPixelData = true },
            request.DatasetOffset);
        var fromFile = DicomReader.ReadDatasetFile(copy, request.TransferSyntax, new DicomReadOptions { LazyPixelData = true }, request.DatasetOffset);
        Assert.Equal(fromFile.GetString(Tag.SOPInstanceUID), fromHead.GetString(Tag.SOPInstanceUID));
        Assert.Equal(fromFile.GetString(Tag.PatientName), fromHead.GetString(Tag.PatientName));
        Assert.Equal(fromFile.GetInt(Tag.Rows), fromHead.GetInt(Tag.Rows));
    }

    [Fact]
    public async Task Without_a_Part10_header_the_temp_file_is_the_data_set_alone()
    {
        await using var s = await TestServer.StartAsync();
        var file = Net.TestFile("CT_small.dcm");
        await using (var client = await ConnectAsync(s))
        {
            Assert.Equal(0x0000, (await client.StoreAsync(file)).Code);
        }
        var (request, copy) = Assert.Single(s.Handler.Stored);
        Assert.Equal(0, request.DatasetOffset);
        Net.AssertSameDataset(DicomReader.ReadFile(file).Dataset, Net.ReadRaw(copy, request.TransferSyntax), request.TransferSyntax);
    }

    [Fact]
    public async Task A_failure_to_name_the_destination_is_answered_at_the_one_boundary_and_the_association_goes_on()
    {
        await using var s = await TestServer.StartAsync();
        var file = Net.TestFile("CT_small.dcm");
        await using var client = await ConnectAsync(s);
        var cases = new (Exception Error, ushort Code)[]
        {
            (new OutOfStorageException("disk reserve reached"), 0xA700),
            (new OutOfResourcesException("queue full"), 0xA700),
            (new IOException("disk"), 0xA701),
            (new IOException("No space left on device", 28), 0xA700), // ENOSPC: storage full, not an I/O fault
            (new DicomFormatException("bad"), 0xC000),
            (new InvalidOperationException("bug"), 0x0110),
        };
        foreach (var (error, code) in cases)
        {
            s.Handler.PrepareFailure = error;
            var status = await client.StoreAsync(file);
            Assert.Equal(code, status.Code);
            Assert.False(string.IsNullOrEmpty(status.ErrorComment));
        }
        Assert.Equal(0, s.Handler.Calls);

        s.Handler.PrepareFailure = null;
        Assert.Equal(0x0000, (await client.StoreAsync(file)).Code);
        Assert.Equal(1, s.Handler.Calls);
    }

    [Fact]
    public async Task A_temp_folder_that_cannot_be_created_answers_A701_and_the_association_goes_on()
    {
        await using var s = await TestServer.StartAsync();
        var blocker = Path.Combine(TempDirectory.ForTestRun(), "a-file");
        await File.WriteAllTextAsync(blocker, "not a folder");
        s.Handler.Destination = new StoreDestination(Path.Combine(blocker, "tmp"), WritePart10Header: true);
        var file = Net.TestFile("CT_small.dcm");
        await using var client = await ConnectAsync(s);

        var status = await client.StoreAsync(file);

        Assert.Equal(0xA701, status.Code);
        Assert.Equal(0, s.Handler.Calls);
        s.Handler.Destination = new StoreDestination(s.TempDir, WritePart10Header: false);
        Assert.Equal(0x0000, (await client.StoreAsync(file)).Code);
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2")]
    [InlineData("1.2.840.10008.1.2.4.50")]
    public void Part10Header_Encode_is_a_File_Meta_Information_that_readers_accept(string syntaxUid)
    {
        var syntax = TransferSyntax.Lookup(syntaxUid);
        var header = Part10Header.Encode(CtImage, "1.2.3.4", syntax, "SCU_A");

        Assert.Equal("DICM"u8.ToArray(), header[128..132]);
        using var ms = new MemoryStream(header);
        var meta = DicomReader.Read(ms).FileMetaInformation;
        Assert.Equal((uint)(header.Length - 144), (uint)meta.GetInt(Tag.FileMetaInformationGroupLength)!);
        Assert.Equal(syntaxUid, meta.GetString(Tag.TransferSyntaxUID));
        Assert.Equal("1.2.3.4", meta.GetString(Tag.MediaStorageSOPInstanceUID));
        Assert.Equal("SCU_A", meta.GetString(Tag.SourceApplicationEntityTitle));
    }
}
