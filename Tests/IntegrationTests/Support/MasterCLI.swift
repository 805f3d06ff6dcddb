import Glibc

/// Talks to the master CLI (-S socket) the way `socat` one-liners do: one
/// command line in, then a half-close, and the full text answer out until
/// the master closes.
enum MasterCLI {
    static func send(_ command: String, socketPath: String, timeout: Double = 5) throws -> String {
        let connection = try CLIConnection(socketPath: socketPath)
        try connection.send(command.hasSuffix("\n") ? command : command + "\n", timeout: timeout)
        // socat half-closes when its stdin ends; HAProxy's master CLI waits for
        // that before closing, so do the same.
        connection.shutdownWrite()
        return try connection.read(until: nil, timeout: timeout).text
    }
}
