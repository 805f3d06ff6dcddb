/// Per-server settings the runtime API changes and that have no room in a
/// server line (its 32 words are taken): one word per server after the
/// definition lines, written by the master, read by every worker on each
/// server choice and by the runtime API's snapshot. Then the region's
/// process-wide words (`RegionWord`).
extension SharedTable {
    /// Words per server in the settings region.
    static let serverSettingWords = 1
    /// Words after the servers' settings.
    enum RegionWord: Int, CaseIterable {
        /// Invalid requests and responses captured by every worker (`show errors`' event numbers).
        case errorEvents
    }
    static var regionWords: Int { RegionWord.allCases.count }

    @inline(__always) func regionWord(_ w: RegionWord) -> SharedWord {
        SharedWord(definitionWords(servers) + servers * SharedTable.serverSettingWords + w.rawValue)
    }

    /// `show errors`: takes the next event number (one more error captured).
    public func nextErrorEvent() -> UInt64 { regionWord(.errorEvents).pointer.pointee.add(1, ordering: .relaxed).oldValue }
    /// Errors captured so far ("Total events captured").
    public var errorEvents: UInt64 { regionWord(.errorEvents).load() }

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
