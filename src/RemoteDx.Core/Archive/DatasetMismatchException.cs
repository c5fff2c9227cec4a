// PS3.4 B.2.3 C-STORE status A900 "Error: Data Set does not match SOP Class"
namespace RemoteDx.Core.Archive;

/// <summary>The data set's SOP Class UID is not the one the peer named in the command; the ingest service answers
/// A900 (a domain outcome, not an exception the network layer maps).</summary>
public sealed class DatasetMismatchException(string message) : Exception(message);
