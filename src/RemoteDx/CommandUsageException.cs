namespace RemoteDx;

/// <summary>A command line that parsed but cannot be run as given (a rule no single option can check, such as an
/// unknown --models name): one line on stderr, exit 2, like a parse error.</summary>
internal sealed class CommandUsageException(string message) : Exception(message);
