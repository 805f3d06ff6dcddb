import FulcrumConfig

/// The process-wide limits in force: what the runtime API set (`set maxconn
/// global`, `set rate-limit connections|sessions global`), kept in the shared
/// table so that every worker applies it, else the configuration's. 0: none.
public struct RuntimeLimits {
    let table: SharedTable
    let global: GlobalSettings

    public init(table: SharedTable, global: GlobalSettings) { self.table = table; self.global = global }

    public var maxconn: Int {
        let set = table.header(.maxconnSetting).load()
        return set == 0 ? global.maxconn ?? 0 : Int(set)
    }

    public var connectionRate: Int { setting(.connectionRateLimitSetting) ?? global.maxConnectionRate ?? 0 }
    public var sessionRate: Int { setting(.sessionRateLimitSetting) ?? global.maxSessionRate ?? 0 }

    /// Stored as the value plus one, so that 0 means "not set".
    private func setting(_ word: SharedTable.Header) -> Int? {
        let v = table.header(word).load()
        return v == 0 ? nil : Int(v) - 1
    }

    /// 0 goes back to the configuration's.
    public func setMaxconn(_ value: Int) { table.header(.maxconnSetting).store(UInt64(value)) }

    /// `set maxconn frontend`'s value for frontend `fi`, nil when never set
    /// (0 is a value: HAProxy then accepts nothing on the frontend).
    public func frontendMaxconnSetting(_ fi: Int) -> Int? {
        let v = table.frontend(fi, .maxconnSetting).load()
        return v == 0 ? nil : Int(v) - 1
    }

    public func setFrontendMaxconn(_ fi: Int, to value: Int) {
        table.frontend(fi, .maxconnSetting).store(UInt64(value) + 1)
    }

    public func setRate(connections: Bool, to value: Int) {
        table.header(connections ? .connectionRateLimitSetting : .sessionRateLimitSetting).store(UInt64(value) + 1)
    }
}
