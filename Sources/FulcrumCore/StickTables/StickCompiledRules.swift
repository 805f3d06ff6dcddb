import FulcrumConfig

/// A backend's `stick on|match|store-*` rules compiled once: patterns
/// resolved, conditions against the backend's ACLs, the servers' names as
/// bytes (what `server_key` holds) and ids (`server_id`).
public final class StickCompiledRules: @unchecked Sendable {
    struct Rule {
        let kind: StickRule.Kind
        let pattern: CompiledSampleExpression
        let table: String
        let condition: ACLCondition?
    }
    let rules: [Rule]
    let acls: ACLSet
    /// Per server of the backend: its `id` (HAProxy's puid) and the text
    /// `server_key` stores for it (`srvkey name`: its name).
    public let serverIDs: [Int]
    let serverKeys: [[UInt8]]
    public var hasResponseRules: Bool { rules.contains { $0.kind == .storeResponse } }
    public var hasStores: Bool { rules.contains { $0.kind.stores } }

    public init(_ backend: Backend, serverKeys: [String], userlists: [Userlist],
                crypt: @escaping (String, String) -> String?) throws {
        let acls = try ACLSet(backend.http.acls, userlists: userlists, crypt: crypt)
        self.acls = acls
        rules = try backend.stickRules.map {
            Rule(kind: $0.kind, pattern: try CompiledSampleExpression($0.pattern), table: $0.table, condition: try acls.compile($0.condition))
        }
        serverIDs = backend.servers.map(\.id)
        self.serverKeys = serverKeys.map { Array($0.utf8.prefix(StickEntryLayout.serverKeyBytes - 1)) }
    }

    /// Request time (HAProxy's process_sticking_rules): the first `on` /
    /// `match` rule whose key is in its table names the server (its index
    /// in the backend, unless `assigned` already chose one); `on` and
    /// `store-request` keys wait in `tracker` for the server the request
    /// goes to.
    public func matchAndCollect(_ tracker: StickTracker, context: HTTPRuleContext, assigned: Bool) -> Int? {
        var chosen: Int? = nil
        for r in rules where r.kind != .storeResponse && HTTPConditions.evaluate(r.condition, acls: acls, context: context) {
            guard let t = tracker.tables.index(named: r.table) else { continue }
            r.pattern.evaluate(context: context, acls: acls) { key in
                if r.kind.matches && chosen == nil && !assigned {
                    chosen = tracker.lookupServer(table: t, key: key, ids: serverIDs, keys: serverKeys)
                }
                if r.kind.stores { tracker.addPendingStore(table: t, key: key) }
            }
        }
        return chosen
    }

    /// Response time (process_store_rules): `store-response` keys join the
    /// pending ones, then every pending key records `server` (unless it is
    /// `non-stick`: nothing is recorded).
    public func store(_ tracker: StickTracker, context: HTTPRuleContext?, server: Int, nonStick: Bool) {
        if let context {
            for r in rules where r.kind == .storeResponse && HTTPConditions.evaluate(r.condition, acls: acls, context: context) {
                guard let t = tracker.tables.index(named: r.table) else { continue }
                r.pattern.evaluate(context: context, acls: acls) { tracker.addPendingStore(table: t, key: $0) }
            }
        }
        guard !nonStick, server >= 0, server < serverIDs.count else { tracker.clearPendingStores(); return }
        tracker.storePending(serverID: serverIDs[server], serverKey: serverKeys[server])
    }
}
