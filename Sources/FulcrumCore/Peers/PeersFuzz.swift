import FulcrumConfig

/// A libFuzzer-friendly entry: `run(bytes)` builds a node with one table
/// of each key kind in private memory; an even first byte feeds the rest
/// as messages after a good hello, an odd one as the hello itself. Must
/// never trap, whatever the bytes.
public enum PeersFuzz {
    struct Unlocked: StickTableLocking {
        func withLock<R>(repair: () -> Void, _ body: () -> R) -> R { body() }
    }

    public static func run(_ data: UnsafeRawBufferPointer) {
        let loc = SourceLocation(file: "fuzz", line: 1)
        var section = PeersSection(name: "fuzz", location: loc)
        section.peers = [PeerEntry(name: "a", address: PeerAddress(host: "127.0.0.1", port: 1), location: loc),
                         PeerEntry(name: "b", address: PeerAddress(host: "127.0.0.1", port: 2), location: loc)]
        var defs: [StickTableDefinition] = []
        for (name, type) in [("ip", StickKeyType.ip), ("s", .string(length: 9)), ("i", .integer), ("b", .binary(length: 6))] {
            var d = StickTableDefinition(name: name, location: loc, keyType: type, size: 16)
            d.expire = 1000
            d.peers = "fuzz"
            d.data = [StickStoredData(.serverID), StickStoredData(.gpc0), StickStoredData(.httpReqRate, period: 1000),
                      StickStoredData(.bytesOutCount), StickStoredData(.serverKey), StickStoredData(.gpcRate, period: 500, count: 2)]
            defs.append(d)
        }
        let regions = defs.map { d -> UnsafeMutableRawPointer in
            let size = SharedStickTable.regionSize(d)
            let r = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
            r.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            return r
        }
        defer { regions.forEach { $0.deallocate() } }
        let tables = StickTableSet(definitions: defs, tables: zip(regions, defs).map { SharedStickTable(formatting: $0, $1) },
                                   locks: defs.map { _ in Unlocked() })
        tables.clock = { 1000 }
        if let first = data.first, first & 1 == 1 {
            let node = PeersNode(section: section, localName: "a", pid: 1, tables: tables, learn: true, now: 0, wallSeconds: 0)
            let s = node.accepted(now: 0)
            node.receive(s, UnsafeRawBufferPointer(rebasing: data.dropFirst()), now: 1)
            _ = node.tick(now: 20_000)
            _ = node.takeOutput(s)
        } else {
            run(UnsafeRawBufferPointer(rebasing: data.dropFirst()), tables: tables, section: section, localName: "a")
        }
    }

    /// The bytes after a good hello from a connected peer, on `tables`.
    public static func run(_ data: UnsafeRawBufferPointer, tables: StickTableSet, section: PeersSection, localName: String) {
        let node = PeersNode(section: section, localName: localName, pid: 1, tables: tables, learn: true, now: 0, wallSeconds: 0)
        guard let remote = node.peers.first else { return }
        let s = node.accepted(now: 0)
        let hello = PeerHandshake.hello(remote: localName, local: remote.name, pid: 2)
        hello.withUnsafeBytes { node.receive(s, $0, now: 0) }
        node.receive(s, data, now: 1)
        _ = node.tick(now: 10_000)
        _ = node.takeOutput(s)
    }
}
