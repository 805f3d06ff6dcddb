/// Which TCP sockets are in LISTEN state, read from /proc/net/tcp and tcp6.
/// Checking this instead of connecting means "is it listening?" never opens a
/// connection that a backend would count.
enum ListeningSockets {
    /// Inodes of listening sockets bound to local `port` (any address).
    static func inodes(port: UInt16) -> Set<UInt64> {
        var result: Set<UInt64> = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = FileBytes.readText(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                guard fields.count > 9, fields[3] == "0A",
                      let colon = fields[1].lastIndex(of: ":"),
                      let localPort = UInt16(fields[1][fields[1].index(after: colon)...], radix: 16),
                      localPort == port,
                      let inode = UInt64(fields[9]) else { continue }
                result.insert(inode)
            }
        }
        return result
    }
}
