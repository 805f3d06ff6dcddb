import Synchronization

/// What the resolver (in the master) writes for a configured server: "no
/// address" (`init-addr none`, or a name that stopped resolving) as an
/// address word of its own, and the name `set server fqdn` gave, kept in the
/// server's definition line, which only `add server` slots use otherwise.
extension SharedTable {
    /// The address kind that means "none": readers see no run-time address
    /// (the server is in RMAINT, so nothing connects to it).
    static let noAddressMeta: UInt64 = 3

    public func serverAddressIsNone(_ line: Int) -> Bool {
        server(line, .addressSequence).loadAcquiring() != 0 && server(line, .addressMeta).load() & 0xFF == SharedTable.noAddressMeta
    }

    /// Takes the server's address away (master only), moving the sequence as an address change does.
    public func setServerAddressNone(_ line: Int) {
        let sequence = server(line, .addressSequence)
        let was = sequence.load()
        sequence.store(was | 1)
        atomicMemoryFence(ordering: .releasing)
        server(line, .addressHigh).store(0); server(line, .addressLow).store(0)
        server(line, .addressMeta).store(SharedTable.noAddressMeta)
        sequence.storeReleasing((was | 1) + 1)
    }

    private static let fqdnMarker = "fqdn "

    /// The name `set server fqdn` set, or nil.
    public func serverFQDN(_ line: Int) -> String? {
        let text = definition(line)
        return text.hasPrefix(SharedTable.fqdnMarker) ? String(text.dropFirst(SharedTable.fqdnMarker.count)) : nil
    }

    @discardableResult
    public func setServerFQDN(_ line: Int, _ name: String) -> Bool {
        setDefinition(line, SharedTable.fqdnMarker + name)
    }
}
