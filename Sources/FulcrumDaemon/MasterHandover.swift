import Glibc
import FulcrumPosix

/// What a master hands to its re-executed self (binary upgrade): every
/// descriptor that must outlive the old image, by number, and the state that
/// gives them meaning. The old master writes it into a memfd passed as
/// `--upgrade-state FD`; descriptors named here are kept open across execve.
///
/// Text, one record per line (`kind key=value ...`, strings hex-encoded), so a
/// newer binary can read what an older one wrote and a format change is a
/// clear error rather than a misread.
struct MasterHandover: Equatable {
    static let format = "fulcrum-handover 1"

    struct Listener: Equatable { var key: String; var fds: [Int32]; var inherited: Bool }
    struct CLIEndpoint: Equatable {
        var path: String; var fd: Int32; var isMasterCLI: Bool; var level: Int; var idleTimeout: Int64
        /// `expose-fd listeners` (an optional field: older images wrote none).
        var exposesListeners = false
    }
    /// A CLI connection waiting for its answers (the one that asked for the reload).
    struct CLIClient: Equatable { var server: Int; var fd: Int32; var answers: [String?]; var reloadIndexes: [Int] }
    struct Child: Equatable {
        var index: Int
        var pid: pid_t
        var control: Int32
        var startedAt: Int64
        var startedWall: Int64
        var ready: Bool
    }
    struct ListenerEntry: Equatable { var fd: Int32; var frontend: Int; var bind: Int; var ownerSlot: Int? = nil }
    struct Generation: Equatable {
        var number: Int
        var draining: Bool
        var slots: Int
        var table: Int32
        var config: Int32
        var startedAt: Int64
        var startedWall: Int64
        var drainStarted: Int64
        var reloadsSurvived: Int
        var carriedTotals: [String: UInt64]?
        var failures: [Int]
        var perSlot: [[ListenerEntry]]
        var children: [Child]
        /// The shared TLS session cache's descriptor, when the generation has one.
        var tlsSessions: Int32? = nil
        /// The `cache` sections' region, when the generation has one.
        var httpCaches: Int32? = nil
        /// The stick tables' regions, in table order.
        var stickTables: [Int32] = []
        /// The eventfd its workers wake its peers process with, when it has one.
        var peersWake: Int32? = nil
        /// The runtime API's commits (`GenerationCertificates.commits`).
        var certificateCommits: [String] = []
        /// The map/acl changes made since it loaded (`GenerationPatterns.journal`).
        var patternChanges: [String] = []
    }
    struct Program: Equatable { var pid: pid_t; var name: String }
    struct VRRP: Equatable { var pid: pid_t; var control: Int32; var startedAt: Int64; var startedWall: Int64 }

    var reloads = 0
    var failedReloads = 0
    var nextGeneration = 1
    var startedWall: Int64 = 0
    var lastReloadError: String?
    var reloadPending = false
    var listeners: [Listener] = []
    var cli: [CLIEndpoint] = []
    var waiting: [CLIClient] = []
    var generations: [Generation] = []
    var programs: [Program] = []
    var vrrp: VRRP?
    /// What each VRRP instance last reported (MASTER instances resume).
    var vrrpStates: [String: String] = [:]

    /// Every descriptor the new image must inherit.
    var descriptors: [Int32] {
        var out = listeners.flatMap(\.fds) + cli.map(\.fd) + waiting.map(\.fd)
        for g in generations {
            out += [g.table, g.config] + g.children.map(\.control) + (g.tlsSessions.map { [$0] } ?? [])
                + (g.httpCaches.map { [$0] } ?? []) + g.stickTables + (g.peersWake.map { [$0] } ?? [])
        }
        if let v = vrrp { out.append(v.control) }
        return out
    }

    // MARK: encoding

    func encode() -> String {
        var lines = [Self.format]
        lines.append("master reloads=\(reloads) failed=\(failedReloads) next=\(nextGeneration) started=\(startedWall) pending=\(reloadPending ? 1 : 0)"
                     + (lastReloadError.map { " error=\(Hex.encode($0))" } ?? ""))
        for l in listeners {
            lines.append("listener key=\(Hex.encode(l.key)) fds=\(l.fds.map(String.init).joined(separator: ",")) inherited=\(l.inherited ? 1 : 0)")
        }
        for c in cli {
            lines.append("cli path=\(Hex.encode(c.path)) fd=\(c.fd) master=\(c.isMasterCLI ? 1 : 0) level=\(c.level) idle=\(c.idleTimeout)"
                         + (c.exposesListeners ? " expose=1" : ""))
        }
        for w in waiting {
            let answers = w.answers.map { $0.map { "=" + Hex.encode($0) } ?? "-" }.joined(separator: ",")
            lines.append("client server=\(w.server) fd=\(w.fd) reload=\(w.reloadIndexes.map(String.init).joined(separator: ",")) answers=\(answers)")
        }
        for g in generations {
            var line = "generation number=\(g.number) draining=\(g.draining ? 1 : 0) slots=\(g.slots) table=\(g.table) config=\(g.config)"
            line += " started=\(g.startedAt) wall=\(g.startedWall) drain=\(g.drainStarted) survived=\(g.reloadsSurvived)"
            line += " failures=\(g.failures.map(String.init).joined(separator: ","))"
            line += " slotmap=" + g.perSlot.map { slot in slot.map { "\($0.fd).\($0.frontend).\($0.bind)" + ($0.ownerSlot.map { ".\($0 + 1)" } ?? "") }.joined(separator: ":") }
                .joined(separator: ",")
            if let t = g.carriedTotals {
                line += " totals=" + t.sorted { $0.key < $1.key }.map { "\(Hex.encode($0.key)).\($0.value)" }.joined(separator: ",")
            }
            if let fd = g.tlsSessions { line += " sessions=\(fd)" }
            if let fd = g.httpCaches { line += " caches=\(fd)" }
            if !g.stickTables.isEmpty { line += " sticks=" + g.stickTables.map(String.init).joined(separator: ",") }
            if let fd = g.peersWake { line += " wake=\(fd)" }
            lines.append(line)
            for commit in g.certificateCommits { lines.append("commit data=\(Hex.encode(commit))") }
            for change in g.patternChanges { lines.append("pattern data=\(Hex.encode(change))") }
            for c in g.children {
                lines.append("child index=\(c.index) pid=\(c.pid) control=\(c.control) started=\(c.startedAt) wall=\(c.startedWall) ready=\(c.ready ? 1 : 0)")
            }
        }
        for p in programs { lines.append("program pid=\(p.pid) name=\(Hex.encode(p.name))") }
        if let v = vrrp {
            lines.append("vrrp pid=\(v.pid) control=\(v.control) started=\(v.startedAt) wall=\(v.startedWall)")
        }
        for (name, state) in vrrpStates.sorted(by: { $0.key < $1.key }) {
            lines.append("vrrpstate name=\(Hex.encode(name)) state=\(Hex.encode(state))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    enum DecodeError: Error, Equatable, CustomStringConvertible {
        case format(String)
        case line(Int, String)
        var description: String {
            switch self {
            case .format(let f): return "unknown handover format '\(f)' (expected '\(MasterHandover.format)')"
            case .line(let n, let why): return "handover line \(n): \(why)"
            }
        }
    }

    static func decode(_ text: String) throws(DecodeError) -> MasterHandover {
        var h = MasterHandover()
        let lines = text.split(separator: "\n").map(String.init)
        guard let first = lines.first, first == format else { throw .format(lines.first ?? "") }
        for (n, line) in lines.enumerated().dropFirst() {
            let words = line.split(separator: " ")
            var fields: [String: String] = [:]
            for w in words.dropFirst() {
                guard let eq = w.firstIndex(of: "=") else { throw .line(n + 1, "'\(w)' is not key=value") }
                fields[String(w[..<eq])] = String(w[w.index(after: eq)...])
            }
            let record = Record(fields: fields, line: n + 1)
            switch words.first.map(String.init) {
            case "master":
                h.reloads = try record.int("reloads")
                h.failedReloads = try record.int("failed")
                h.nextGeneration = try record.int("next")
                h.startedWall = Int64(try record.int("started"))
                h.reloadPending = try record.int("pending") != 0
                h.lastReloadError = try fields["error"].map { v throws(DecodeError) in try record.hex(v) }
            case "listener":
                h.listeners.append(Listener(key: try record.hex(try record.string("key")), fds: try record.ints("fds").map(Int32.init),
                                            inherited: try record.int("inherited") != 0))
            case "cli":
                h.cli.append(CLIEndpoint(path: try record.hex(try record.string("path")), fd: Int32(try record.int("fd")),
                                         isMasterCLI: try record.int("master") != 0, level: try record.int("level"),
                                         idleTimeout: Int64(try record.int("idle")),
                                         exposesListeners: fields["expose"] == "1"))
            case "client":
                var answers: [String?] = []
                for a in try record.string("answers").split(separator: ",", omittingEmptySubsequences: false) {
                    if a == "-" { answers.append(nil) } else if a.hasPrefix("=") { answers.append(try record.hex(String(a.dropFirst()))) }
                    else { throw .line(n + 1, "bad answer '\(a)'") }
                }
                h.waiting.append(CLIClient(server: try record.int("server"), fd: Int32(try record.int("fd")), answers: answers,
                                           reloadIndexes: try record.ints("reload")))
            case "generation":
                var perSlot: [[ListenerEntry]] = []
                for slot in try record.string("slotmap").split(separator: ",", omittingEmptySubsequences: false) {
                    var entries: [ListenerEntry] = []
                    for e in slot.split(separator: ":") {
                        let p = e.split(separator: ".").compactMap { Int($0) }
                        guard p.count == 3 || (p.count == 4 && p[3] >= 1) else { throw .line(n + 1, "bad listener entry '\(e)'") }
                        entries.append(ListenerEntry(fd: Int32(p[0]), frontend: p[1], bind: p[2], ownerSlot: p.count == 4 ? p[3] - 1 : nil))
                    }
                    perSlot.append(entries)
                }
                var totals: [String: UInt64]? = nil
                if let t = fields["totals"] {
                    var d: [String: UInt64] = [:]
                    for kv in t.split(separator: ",") {
                        let p = kv.split(separator: ".")
                        guard p.count == 2, let v = UInt64(p[1]) else { throw .line(n + 1, "bad total '\(kv)'") }
                        d[try record.hex(String(p[0]))] = v
                    }
                    totals = d
                }
                h.generations.append(Generation(
                    number: try record.int("number"), draining: try record.int("draining") != 0, slots: try record.int("slots"),
                    table: Int32(try record.int("table")), config: Int32(try record.int("config")),
                    startedAt: Int64(try record.int("started")), startedWall: Int64(try record.int("wall")),
                    drainStarted: Int64(try record.int("drain")), reloadsSurvived: try record.int("survived"),
                    carriedTotals: totals, failures: try record.ints("failures"), perSlot: perSlot, children: [],
                    tlsSessions: try fields["sessions"].map { s throws(DecodeError) in
                        guard let fd = Int32(s) else { throw .line(n + 1, "bad sessions '\(s)'") }
                        return fd
                    },
                    stickTables: try (fields["sticks"].map { s throws(DecodeError) in
                        let fds = s.split(separator: ",").compactMap { Int32($0) }
                        guard fds.count == s.split(separator: ",").count else { throw .line(n + 1, "bad sticks '\(s)'") }
                        return fds
                    }) ?? []))
                if let c = fields["caches"] {
                    guard let fd = Int32(c) else { throw .line(n + 1, "bad caches '\(c)'") }
                    h.generations[h.generations.count - 1].httpCaches = fd
                }
                if let w = fields["wake"] {
                    guard let fd = Int32(w) else { throw .line(n + 1, "bad wake '\(w)'") }
                    h.generations[h.generations.count - 1].peersWake = fd
                }
            case "child":
                guard !h.generations.isEmpty else { throw .line(n + 1, "child before any generation") }
                h.generations[h.generations.count - 1].children.append(Child(
                    index: try record.int("index"), pid: pid_t(try record.int("pid")), control: Int32(try record.int("control")),
                    startedAt: Int64(try record.int("started")), startedWall: Int64(try record.int("wall")),
                    ready: try record.int("ready") != 0))
            case "commit":
                guard !h.generations.isEmpty else { throw .line(n + 1, "commit before any generation") }
                h.generations[h.generations.count - 1].certificateCommits.append(try record.hex(try record.string("data")))
            case "pattern":
                guard !h.generations.isEmpty else { throw .line(n + 1, "pattern before any generation") }
                h.generations[h.generations.count - 1].patternChanges.append(try record.hex(try record.string("data")))
            case "program":
                h.programs.append(Program(pid: pid_t(try record.int("pid")), name: try record.hex(try record.string("name"))))
            case "vrrp":
                h.vrrp = VRRP(pid: pid_t(try record.int("pid")), control: Int32(try record.int("control")),
                              startedAt: Int64(try record.int("started")), startedWall: Int64(try record.int("wall")))
            case "vrrpstate":
                h.vrrpStates[try record.hex(try record.string("name"))] = try record.hex(try record.string("state"))
            default:
                throw .line(n + 1, "unknown record '\(words.first ?? "")'")
            }
        }
        return h
    }

    private struct Record {
        var fields: [String: String]
        var line: Int
        func string(_ key: String) throws(DecodeError) -> String {
            guard let v = fields[key] else { throw .line(line, "missing \(key)") }
            return v
        }
        func int(_ key: String) throws(DecodeError) -> Int {
            guard let v = Int(try string(key)) else { throw .line(line, "\(key) is not a number") }
            return v
        }
        func ints(_ key: String) throws(DecodeError) -> [Int] {
            var out: [Int] = []
            for p in try string(key).split(separator: ",") {
                guard let v = Int(p) else { throw .line(line, "\(key) is not a list of numbers") }
                out.append(v)
            }
            return out
        }
        func hex(_ s: String) throws(DecodeError) -> String {
            guard let v = Hex.decode(s) else { throw .line(line, "bad hex string") }
            return v
        }
    }
}

/// Strings in handover records, so spaces and `=` need no quoting.
enum Hex {
    static func encode(_ s: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count * 2)
        for b in s.utf8 { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return out.isEmpty ? "-" : String(decoding: out, as: UTF8.self)
    }
    static func decode(_ s: String) -> String? {
        if s == "-" { return "" }
        let b = Array(s.utf8)
        guard b.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            guard let h = nibble(b[i]), let l = nibble(b[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The re-executed master cannot take over what the previous image handed it.
struct HandoverError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
