// PS3.4 B.2.2 / PS3.10 7.1: where the storage SCP writes a received data set
namespace RemoteDx.Dicom.Network;

/// <summary>Where the server streams one data set: a new file in <see cref="TempDirectory"/> (created if missing; put
/// it on the file system of the final destination so that keeping the file is a rename). With
/// <see cref="WritePart10Header"/> the file starts with the 128-byte preamble, "DICM" and File Meta Information
/// (PS3.10 7.1) written by <see cref="Part10Header.Encode"/>, the calling AE as Source Application Entity Title.</summary>
public sealed record StoreDestination(string TempDirectory, bool WritePart10Header);
