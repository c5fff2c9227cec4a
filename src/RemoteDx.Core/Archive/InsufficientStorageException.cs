namespace RemoteDx.Core.Archive;

/// <summary>Free space is below the reserve: a transient condition (A700), not a fault of the peer.</summary>
public sealed class InsufficientStorageException(string message) : IOException(message);

/// <summary>The dataset does not match the SOP class the peer named (A900).</summary>
public sealed class DatasetMismatchException(string message) : Exception(message);
