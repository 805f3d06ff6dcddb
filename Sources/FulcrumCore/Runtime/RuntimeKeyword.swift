/// One CLI keyword: the words that select it, its help line, the level its
/// handler requires, and on which CLI it exists (HAProxy's ACCESS_MASTER /
/// ACCESS_MASTER_ONLY bits).
public struct RuntimeKeyword: Sendable, Equatable {
    public enum Scope: Sendable { case worker, both, masterOnly }
    public var words: [String]
    public var syntax: String
    public var summary: String
    public var level: RuntimeLevel
    public var scope: Scope
    /// False for keywords `RuntimeCommand` does not parse: pseudo keywords
    /// that only document something (`@<pid>`), and the certificate
    /// commands, which the master answers from its `CertificateStore`.
    public var parsed: Bool

    public init(_ words: [String], _ syntax: String, _ summary: String, level: RuntimeLevel = .user, scope: Scope = .worker, parsed: Bool = true) {
        self.words = words; self.syntax = syntax; self.summary = summary
        self.level = level; self.scope = scope; self.parsed = parsed
    }

    /// The help line: the syntax padded to 40 columns, as HAProxy's usage strings.
    public var usage: String {
        let pad = max(0, 40 - syntax.count)
        return syntax + String(repeating: " ", count: pad) + ": " + summary
    }

    public func visible(master: Bool) -> Bool {
        switch scope {
        case .worker: return !master
        case .both: return true
        case .masterOnly: return master
        }
    }

    /// Fulcrum's keywords; syntax and summaries follow HAProxy 2.6 where the
    /// command is the same, and list only what Fulcrum implements.
    public static let all: [RuntimeKeyword] = [
        RuntimeKeyword(["@!<pid>"], "@!<pid>", "send a command to the <pid> process", scope: .masterOnly, parsed: false),
        RuntimeKeyword(["@<relative", "pid>"], "@<relative pid>", "send a command to the <relative pid> process", scope: .masterOnly, parsed: false),
        RuntimeKeyword(["@master"], "@master", "send a command to the master process", scope: .masterOnly, parsed: false),
        RuntimeKeyword(["abort", "ssl", "ca-file"], "abort ssl ca-file <cafile>", "abort a transaction for a CA file", level: .admin, parsed: false),
        // Map and ACL files (PatternCommands), answered by the master from its store.
        RuntimeKeyword(["add", "acl"], "add acl [@<ver>] <acl> <pattern>", "add an acl entry", parsed: false),
        RuntimeKeyword(["add", "map"], "add map [@<ver>] <map> <key> <val>", "add a map entry (payload supported instead of key/val)", parsed: false),
        RuntimeKeyword(["clear", "acl"], "clear acl [@<ver>] <acl>", "clear the contents of this acl", parsed: false),
        RuntimeKeyword(["clear", "map"], "clear map [@<ver>] <map>", "clear the contents of this map", parsed: false),
        RuntimeKeyword(["commit", "acl"], "commit acl @<ver> <acl>", "commit the ACL at this version", parsed: false),
        RuntimeKeyword(["commit", "map"], "commit map @<ver> <map>", "commit the map at this version", parsed: false),
        RuntimeKeyword(["del", "acl"], "del acl <acl> [<key>|#<ref>]", "delete acl entries matching <key>", parsed: false),
        RuntimeKeyword(["del", "map"], "del map <map> [<key>|#<ref>]", "delete map entries matching <key>", parsed: false),
        RuntimeKeyword(["get", "acl"], "get acl <acl> <value>", "report the patterns matching a sample for an ACL", parsed: false),
        RuntimeKeyword(["get", "map"], "get map <acl> <value>", "report the keys and values matching a sample for a map", parsed: false),
        RuntimeKeyword(["prepare", "acl"], "prepare acl <acl>", "prepare a new version for atomic ACL replacement", parsed: false),
        RuntimeKeyword(["prepare", "map"], "prepare map <acl>", "prepare a new version for atomic map replacement", parsed: false),
        RuntimeKeyword(["set", "map"], "set map <map> [<key>|#<ref>] <value>", "modify a map entry", parsed: false),
        RuntimeKeyword(["show", "acl"], "show acl [@<ver>] <acl>]", "report available acls or dump an acl's contents", parsed: false),
        RuntimeKeyword(["show", "map"], "show map [@ver] [map]", "report available maps or dump a map's contents", parsed: false),
        RuntimeKeyword(["abort", "ssl", "cert"], "abort ssl cert <certfile>", "abort a transaction for a certificate file", level: .admin, parsed: false),
        RuntimeKeyword(["add", "server"], "add server <bk>/<srv>", "create a new server", level: .admin),
        RuntimeKeyword(["add", "ssl", "crt-list"], "add ssl crt-list <list> <cert> [opts]*", "add to crt-list file <list> a line <cert> or a payload", level: .admin, parsed: false),
        RuntimeKeyword(["clear", "counters"], "clear counters [all]", "clear max statistics counters (or all counters)", level: .operator_),
        RuntimeKeyword(["commit", "ssl", "ca-file"], "commit ssl ca-file <cafile>", "commit a CA file", level: .admin, parsed: false),
        RuntimeKeyword(["commit", "ssl", "cert"], "commit ssl cert <certfile>", "commit a certificate file", level: .admin, parsed: false),
        RuntimeKeyword(["del", "server"], "del server <bk>/<srv>", "remove a dynamically added server", level: .admin),
        RuntimeKeyword(["del", "ssl", "cert"], "del ssl cert <certfile>", "delete an unused certificate file", level: .admin, parsed: false),
        RuntimeKeyword(["del", "ssl", "crt-list"], "del ssl crt-list <list> <cert[:line]>", "delete a line <cert> from crt-list file <list>", level: .admin, parsed: false),
        RuntimeKeyword(["disable", "agent"], "disable agent", "disable agent checks", level: .admin),
        RuntimeKeyword(["disable", "frontend"], "disable frontend <frontend>", "temporarily disable specific frontend", level: .admin),
        RuntimeKeyword(["disable", "health"], "disable health <bk>/<srv>", "disable health checks", level: .admin),
        RuntimeKeyword(["disable", "server"], "disable server (DEPRECATED)", "disable a server for maintenance (use 'set server' instead)", level: .admin),
        RuntimeKeyword(["enable", "agent"], "enable agent", "enable agent checks", level: .admin),
        RuntimeKeyword(["enable", "frontend"], "enable frontend <frontend>", "re-enable specific frontend", level: .admin),
        RuntimeKeyword(["enable", "health"], "enable health <bk>/<srv>", "enable health checks", level: .admin),
        RuntimeKeyword(["enable", "server"], "enable server  (DEPRECATED)", "enable a disabled server (use 'set server' instead)", level: .admin),
        RuntimeKeyword(["get", "weight"], "get weight <bk>/<srv>", "report a server's current weight"),
        RuntimeKeyword(["new", "ssl", "cert"], "new ssl cert <certfile>", "create a new certificate file to be used in a crt-list or a directory", level: .admin, parsed: false),
        RuntimeKeyword(["operator"], "operator", "lower the level of the current CLI session to operator", scope: .both),
        RuntimeKeyword(["reload"], "reload", "reload haproxy", level: .operator_, scope: .masterOnly),
        RuntimeKeyword(["set", "maxconn", "frontend"], "set maxconn frontend <frontend> <value>", "change a frontend's maxconn setting", level: .admin),
        RuntimeKeyword(["set", "maxconn", "global"], "set maxconn global <value>", "change the per-process maxconn setting", level: .admin),
        RuntimeKeyword(["set", "maxconn", "server"], "set maxconn server <bk>/<srv>", "change a server's maxconn setting", level: .admin),
        RuntimeKeyword(["set", "rate-limit"], "set rate-limit <setting> <value>", "change a rate limiting value", level: .admin),
        RuntimeKeyword(["set", "timeout"], "set timeout [cli] <delay>", "change a timeout setting"),
        RuntimeKeyword(["set", "server"], "set server <bk>/<srv> [opts]", "change a server's state, weight, address or ssl", level: .admin),
        RuntimeKeyword(["set", "ssl", "ca-file"], "set ssl ca-file <cafile> <payload>", "replace a CA file", level: .admin, parsed: false),
        RuntimeKeyword(["set", "ssl", "cert"], "set ssl cert <certfile> <payload>", "replace a certificate file", level: .admin, parsed: false),
        RuntimeKeyword(["set", "weight"], "set weight <bk>/<srv>  (DEPRECATED)", "change a server's weight (use 'set server' instead)", level: .admin),
        RuntimeKeyword(["show", "backend"], "show backend", "list backends in the current running config"),
        RuntimeKeyword(["show", "cache"], "show cache", "show cache status", parsed: false),
        RuntimeKeyword(["show", "cli", "level"], "show cli level", "display the level of the current CLI session", scope: .both),
        RuntimeKeyword(["show", "cli", "sockets"], "show cli sockets", "dump list of cli sockets"),
        RuntimeKeyword(["show", "activity"], "show activity", "show per-thread activity stats (for support/developers)"),
        RuntimeKeyword(["show", "pools"], "show pools", "report information about the memory pools usage"),
        RuntimeKeyword(["show", "errors"], "show errors [<px>] [request|response]", "report last request and/or response errors for each proxy", level: .operator_),
        RuntimeKeyword(["show", "env"], "show env [var]", "dump environment variables known to the process", level: .operator_),
        RuntimeKeyword(["show", "info"], "show info [json|typed]*", "report information about the running process"),
        RuntimeKeyword(["show", "proc"], "show proc", "show processes status", scope: .masterOnly),
        RuntimeKeyword(["show", "sess"], "show sess [id]", "report the list of current sessions or dump this exact session", level: .operator_),
        RuntimeKeyword(["show", "servers", "conn"], "show servers conn [<backend>]", "dump server connections status (all or for a single backend)"),
        RuntimeKeyword(["show", "servers", "state"], "show servers state [<backend>]", "dump volatile server information (all or for a single backend)"),
        RuntimeKeyword(["show", "ssl", "ca-file"], "show ssl ca-file [<cafile>[:<index>]]", "display the SSL CA files used in memory, or the details of a <cafile>, or a single certificate of index <index> of a CA file <cafile>", parsed: false),
        RuntimeKeyword(["show", "ssl", "cert"], "show ssl cert [<certfile>]", "display the SSL certificates used in memory, or the details of a file", parsed: false),
        RuntimeKeyword(["show", "ssl", "crt-list"], "show ssl crt-list [-n] [<list>]", "show the list of crt-lists or the content of a crt-list file <list>", level: .admin, parsed: false),
        RuntimeKeyword(["show", "stat"], "show stat [json|no-maint|typed|up]*", "report counters for each proxy and server"),
        RuntimeKeyword(["shutdown", "frontend"], "shutdown frontend <frontend>", "stop a specific frontend", level: .admin),
        RuntimeKeyword(["shutdown", "session"], "shutdown session [id]", "kill a specific session", level: .admin),
        RuntimeKeyword(["shutdown", "sessions", "server"], "shutdown sessions server <bk>/<srv>", "kill sessions on a server", level: .admin),
        RuntimeKeyword(["show", "version"], "show version", "show version of the current process", scope: .both),
        RuntimeKeyword(["show", "vrrp"], "show vrrp", "show the VRRP instances' states and the VRRP process", scope: .masterOnly),
        RuntimeKeyword(["show", "bgp"], "show bgp", "show the BGP instances' states and BIRD's protocols", scope: .masterOnly),
        RuntimeKeyword(["user"], "user", "lower the level of the current CLI session to user", scope: .both),
    ]

    /// The keyword whose words begin `words` (HAProxy's cli_find_kw), among
    /// those that exist on this CLI.
    public static func find(_ words: [String], master: Bool, in table: [RuntimeKeyword] = all) -> RuntimeKeyword? {
        table.first { kw in
            kw.parsed && kw.visible(master: master) && words.count >= kw.words.count
                && zip(kw.words, words).allSatisfy { $0 == $1 }
        }
    }
}
