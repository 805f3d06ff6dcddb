/// Which TCP and unix stream sockets are listening, read from /proc/net.
/// Checking this instead of connecting means "is it listening?" never opens a
/// connection that a backend would count.
enum ListeningSockets {
    /// Inodes of listening sockets bound to local `port` (any address).
    static func inodes(port: UInt16) -> Set<UInt64> {
        Set(listenerRows(port: port).compactMap { UInt64($0[9]) })
    }

    /// The /proc/net/tcp{,6} rows (split in fields) of the sockets listening
    /// on local `port`: sl local_address rem_address st tx:rx tr:when
    /// retrnsmt uid timeout inode.
    private static func listenerRows(port: UInt16) -> [[Substring]] {
        var rows: [[Substring]] = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = FileBytes.readText(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, fields[3] == "0A",
                      let colon = fields[1].lastIndex(of: ":"),
                      UInt16(fields[1][fields[1].index(after: colon)...], radix: 16) == port else { continue }
                rows.append(fields)
            }
        }
        return rows
    }

    /// Inodes of listening unix sockets bound to `path` (from /proc/net/unix,
    /// where flag __SO_ACCEPTCON, 0x10000, marks a listener). The kernel
    /// records the path given to bind(), so a socket bound to "PATH.tmp" and
    /// renamed into place (as HAProxy does) matches too.
    static func unixInodes(path: String) -> Set<UInt64> {
        guard let text = FileBytes.readText("/proc/net/unix") else { return [] }
        var result: Set<UInt64> = []
        for line in text.split(separator: "\n").dropFirst() {
            // Num RefCount Protocol Flags Type St Inode Path
            let fields = line.split(separator: " ", maxSplits: 7)
            guard fields.count == 8, fields[7] == path || fields[7].hasPrefix(path + "."),
                  let flags = UInt32(fields[3], radix: 16), flags & 0x10000 != 0,
                  let inode = UInt64(fields[6]) else { continue }
            result.insert(inode)
        }
        return result
    }
}

extension ListeningSockets {
    /// Connections the kernel completed on the listener at `port` that no
    /// accept() took yet (a listener's rx_queue in /proc/net/tcp), so a test
    /// can wait until a server has seen every connection made to it.
    static func acceptQueueLength(port: UInt16) -> Int {
        listenerRows(port: port).compactMap { $0[4].split(separator: ":").last.flatMap { Int($0, radix: 16) } }.reduce(0, +)
    }
}
