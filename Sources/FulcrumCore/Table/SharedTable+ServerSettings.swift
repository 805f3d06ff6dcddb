/// Per-server settings the runtime API changes and that have no room in a
/// server line (its 32 words are taken): one word per server after the
/// definition lines. Written by the master, read by every worker on each
/// server choice and by the runtime API's snapshot.
extension SharedTable {
    /// Words per server in the settings region.
    static let serverSettingWords = 1

    @inline(__always) func serverSettingWord(_ line: Int) -> SharedWord {
        SharedWord(definitionWords(servers) + line * SharedTable.serverSettingWords)
    }

    /// `set maxconn server`: the value HAProxy stores (a C int, so taken
    /// modulo 2^32 and compared unsigned), nil while the configured one stands.
    @inline(__always) public func serverMaxconnSetting(_ line: Int) -> UInt32? {
        let v = serverSettingWord(line).load()
        return v == 0 ? nil : UInt32(truncatingIfNeeded: v - 1)
    }

    public func setServerMaxconn(_ line: Int, to value: UInt32) {
        serverSettingWord(line).store(UInt64(value) + 1)
    }

    /// A slot `add server` fills again starts from its own definition.
    public func clearServerSettings(_ line: Int) { serverSettingWord(line).store(0) }
}
