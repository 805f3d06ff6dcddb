/// The form HAProxy 2.6's page posts to change servers:
/// `s=SERVER&s=...&action=ACTION&b=#IID` (urlencoded), read as
/// stats_process_http_post() reads it, into the same `RuntimeServerChange`s
/// the CLI's `set server` makes, and the status the redirect reports.
public struct StatsPageAdminForm: Equatable, Sendable {
    /// The actions of the page's select box.
    public enum Action: String, Equatable, Sendable, CaseIterable {
        case ready, drain, maint, dhlth, ehlth, hrunn, hnolb, hdown, dagent, eagent, arunn, adown, shutdown
    }

    /// `b`: "#IID" or a backend name.
    public var backend: String?
    public var action: Action?
    /// The raw `action` value (empty or unknown gives `action == nil`).
    public var actionText: String?
    public var servers: [String] = []

    /// Parses an `application/x-www-form-urlencoded` body.
    public init(body: [UInt8]) {
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            switch key {
            case "b": backend = value
            case "action": actionText = value; action = Action(rawValue: value)
            case "s": servers.append(value)
            default: break
            }
        }
    }

    /// Form decoding: `+` is a space, `%XX` a byte.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "+") {
                out.append(32)
            } else if c == UInt8(ascii: "%"), i + 2 < bytes.endIndex, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 2
            } else {
                out.append(c)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }

    /// The changes to write and the status to report, against `snapshot`.
    /// A server the action does not apply to (unknown, or no check to
    /// enable) counts but is not altered, as in HAProxy: no server at all is
    /// NONE, none altered ERRP, some PART, all DONE.
    public func changes(in snapshot: RuntimeSnapshot) -> (changes: [RuntimeServerChange], status: StatsPageStatus) {
        guard !servers.isEmpty else { return ([], .none) }
        guard let name = backend, let action,
              let proxy = name.hasPrefix("#")
                ? snapshot.proxies.first(where: { "#\($0.iid)" == name }) : snapshot.backend(named: name),
              proxy.backend != nil else { return ([], .invalidParameters) }
        var out: [RuntimeServerChange] = []
        for server in servers {
            guard let sv = snapshot.server(proxy.name, server) else { continue }
            var change = RuntimeServerChange(sv)
            switch action {
            case .ready: change.setReady()
            case .drain: change.setDrain()
            case .maint: change.setMaintenance()
            case .dhlth, .ehlth:
                guard sv.check != nil else { continue }
                change.checkEnabled = action == .ehlth
            case .hrunn, .hnolb, .hdown:
                guard sv.check != nil else { continue }
                change.setHealth(action == .hrunn ? .up : action == .hnolb ? .stopping : .down)
            case .shutdown:
                change.shutdownSessions = true
            case .dagent, .eagent, .arunn, .adown:
                // No agent checks in Fulcrum.
                continue
            }
            out.append(change)
        }
        let status: StatsPageStatus = out.isEmpty ? .invalidParameters : out.count == servers.count ? .done : .partial
        return (out, status)
    }
}
