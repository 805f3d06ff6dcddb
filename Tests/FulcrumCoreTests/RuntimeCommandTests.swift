import XCTest
@testable import FulcrumCore

final class RuntimeCommandTests: XCTestCase {
    func parse(_ line: String, _ level: RuntimeLevel = .admin, master: Bool = false) -> Result<RuntimeCommand, RuntimeError> {
        RuntimeCommand.parse(words: RuntimeCommandLine.words(line), level: level, master: master)
    }
    func ok(_ line: String, _ level: RuntimeLevel = .admin, master: Bool = false, file: StaticString = #filePath, line l: UInt = #line) -> RuntimeCommand? {
        switch parse(line, level, master: master) {
        case .success(let c): return c
        case .failure(let e): XCTFail("\(line): \(e)", file: file, line: l); return nil
        }
    }
    func error(_ line: String, _ level: RuntimeLevel = .admin, master: Bool = false) -> String? {
        if case .failure(let e) = parse(line, level, master: master) { return e.text(level: level, master: master) }
        return nil
    }

    func testLineSplitting() {
        XCTAssertEqual(RuntimeCommandLine.commands("show info; show stat"), [["show", "info"], ["show", "stat"]])
        XCTAssertEqual(RuntimeCommandLine.commands("  set weight  be1/s1\t5 ;;\n"), [["set", "weight", "be1/s1", "5"]])
        XCTAssertEqual(RuntimeCommandLine.commands(#"get weight a\;b/c\ d"#), [["get", "weight", "a;b/c d"]])
        XCTAssertEqual(RuntimeCommandLine.commands(""), [])
        // Escapes over the line's bytes: a backslash, a trailing one, a word that is only escapes, UTF-8.
        XCTAssertEqual(RuntimeCommandLine.commands(#"a\\b c\"#), [[#"a\b"#, "c"]])
        XCTAssertEqual(RuntimeCommandLine.commands(#"x \ \;"#), [["x", " ;"]])
        XCTAssertEqual(RuntimeCommandLine.commands("set map m.map clé\\ é été;show info"), [["set", "map", "m.map", "clé é", "été"], ["show", "info"]])
        XCTAssertEqual(RuntimeCommandLine.words("show info; show stat"), ["show", "info"])
        XCTAssertEqual(RuntimeCommandLine.commands(String(repeating: "w ", count: 100)).first?.count, 64)
        // What `escaped` writes reads back as the one word it was.
        for word in ["plain", "a b", "tab\tx", #"back\slash"#, "semi;colon", "é é", #"end\"#] {
            XCTAssertEqual(RuntimeCommandLine.words("add map f " + RuntimeCommandLine.escaped(word) + " v"), ["add", "map", "f", word, "v"], word)
        }
        XCTAssertEqual(RuntimeCommandLine.escaped("plain"), "plain")
        XCTAssertEqual(RuntimeCommandLine.atoi("-1"), -1)
        XCTAssertEqual(RuntimeCommandLine.atoi(" 12x"), 12)
        XCTAssertEqual(RuntimeCommandLine.atoi("x"), 0)
    }

    func testShowCommands() {
        XCTAssertEqual(ok("show info"), .showInfo(format: .csv))
        XCTAssertEqual(ok("show info typed"), .showInfo(format: .typed))
        XCTAssertEqual(ok("show info typed json"), .showInfo(format: .json))
        XCTAssertEqual(ok("show stat"), .showStat(format: .csv, scope: nil, visibility: .all))
        XCTAssertEqual(ok("show stat json typed"), .showStat(format: .typed, scope: nil, visibility: .all))
        XCTAssertEqual(ok("show stat -1 4 -1"), .showStat(format: .csv, scope: StatScope(proxy: "-1", type: 4, sid: -1), visibility: .all))
        XCTAssertEqual(ok("show stat be1 2 x json up"), .showStat(format: .json, scope: StatScope(proxy: "be1", type: 2, sid: 0), visibility: .upOnly))
        XCTAssertEqual(ok("show stat no-maint"), .showStat(format: .csv, scope: nil, visibility: .noMaintenance))
        XCTAssertEqual(ok("show servers state"), .showServersState(backend: nil))
        XCTAssertEqual(ok("show servers state be1"), .showServersState(backend: "be1"))
        XCTAssertEqual(ok("show servers conn be2"), .showServersConn(backend: "be2"))
        XCTAssertEqual(ok("show backend"), .showBackend)
        XCTAssertEqual(ok("show version"), .showVersion)
        XCTAssertEqual(ok("show cli level"), .showCLILevel)
        XCTAssertEqual(ok("help"), .help(topic: []))
        XCTAssertEqual(ok("help set server"), .help(topic: ["set", "server"]))
        XCTAssertEqual(ok("prompt"), .prompt)
        XCTAssertEqual(ok("quit"), .quit)
    }

    func testUnknownOptionsAreRejected() {
        XCTAssertEqual(error("show stat foo"), "'show stat' expects [{<iid>|<proxy>} <type> <sid>] then any of 'json', 'typed', 'up', 'no-maint', not 'foo'.\n")
        XCTAssertEqual(error("show info desc"), "'show info' accepts 'json' and 'typed' only, not 'desc'.\n")
        XCTAssertEqual(error("clear counters some"), "'clear counters' accepts only 'all'.\n")
    }

    func testServerCommands() {
        XCTAssertEqual(ok("get weight be1/s1"), .getWeight(backend: "be1", server: "s1"))
        XCTAssertEqual(ok("set weight be1/s1 50%"), .setWeight(backend: "be1", server: "s1", weight: "50%"))
        XCTAssertEqual(ok("set weight be1/s1"), .setWeight(backend: "be1", server: "s1", weight: ""))
        XCTAssertEqual(ok("set server be1/s1 weight 7"), .setWeight(backend: "be1", server: "s1", weight: "7"))
        XCTAssertEqual(ok("set server be1/s1 state drain"), .setServerState(backend: "be1", server: "s1", state: .drain))
        XCTAssertEqual(ok("set server be1/s1 state ready"), .setServerState(backend: "be1", server: "s1", state: .ready))
        XCTAssertEqual(ok("set server be1/s1 state maint"), .setServerState(backend: "be1", server: "s1", state: .maint))
        XCTAssertEqual(ok("set server be1/s1 health stopping"), .setServerHealth(backend: "be1", server: "s1", health: .stopping))
        XCTAssertEqual(ok("disable server be1/s1"), .disableServer(backend: "be1", server: "s1"))
        XCTAssertEqual(ok("enable server be1/s1"), .enableServer(backend: "be1", server: "s1"))
        XCTAssertEqual(ok("disable health be1/s1"), .disableHealth(backend: "be1", server: "s1"))
        XCTAssertEqual(ok("enable health be1/s1"), .enableHealth(backend: "be1", server: "s1"))
        XCTAssertEqual(ok("clear counters"), .clearCounters(all: false))
        XCTAssertEqual(ok("clear counters all"), .clearCounters(all: true))
        XCTAssertEqual(ok("set weight a/"), .setWeight(backend: "a", server: "", weight: ""))
    }

    func testServerCommandErrorsAreHAProxys() {
        XCTAssertEqual(error("get weight"), "Require 'backend/server'.\n")
        XCTAssertEqual(error("get weight be1"), "Require 'backend/server'.\n")
        XCTAssertEqual(error("set weight be1 1"), "Require 'backend/server'.\n")
        XCTAssertEqual(error("set server"), "Require 'backend/server'.\n")
        XCTAssertEqual(error("set server be1/s1"), "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n")
        XCTAssertEqual(error("set server be1/s1 port 81"), "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n")
        XCTAssertEqual(ok("set server be1/s1 addr 1.2.3.4 port 81"),
                       .setServerAddress(backend: "be1", server: "s1", address: "1.2.3.4", port: "81"))
        XCTAssertEqual(ok("set server be1/s1 addr 1.2.3.4"), .setServerAddress(backend: "be1", server: "s1", address: "1.2.3.4", port: nil))
        XCTAssertEqual(error("add server be1"), "Require 'backend/server'.")
        XCTAssertEqual(error("add server be1/"), "Require 'backend/server'.")
        XCTAssertEqual(ok("add server be1/n 1.2.3.4:80 weight 2"),
                       .addServer(backend: "be1", server: "n", arguments: ["1.2.3.4:80", "weight", "2"]))
        XCTAssertEqual(error("del server be1"), "Require 'backend/server'.")
        XCTAssertEqual(error("set server be1/s1 state"), "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n")
        XCTAssertEqual(error("set server be1/s1 state foo"), "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n")
        XCTAssertEqual(error("set server be1/s1 health foo"), "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n")
    }

    func testLevels() {
        // Reading is for everyone, changing servers is admin's, as in HAProxy 2.6.
        for line in ["show stat", "show info", "show servers state", "show servers conn", "show backend", "get weight be1/s1",
                     "show version", "show cli level", "user", "help"] {
            XCTAssertNotNil(ok(line, .user), line)
        }
        for line in ["set weight be1/s1 5", "set server be1/s1 weight 5", "disable server be1/s1", "enable server be1/s1",
                     "set server be1/s1 state drain", "set server be1/s1 health up", "disable health be1/s1", "enable health be1/s1",
                     "clear counters all"] {
            XCTAssertEqual(error(line, .operator_), "Permission denied\n", line)
            XCTAssertEqual(error(line, .user), "Permission denied\n", line)
            XCTAssertNotNil(ok(line, .admin), line)
        }
        XCTAssertEqual(ok("clear counters", .operator_), .clearCounters(all: false))
        XCTAssertEqual(error("clear counters", .user), "Permission denied\n")
        XCTAssertEqual(ok("operator", .operator_), .lowerLevel(.operator_))
        XCTAssertEqual(error("operator", .user), "Permission denied\n")
        // The level is checked before the arguments, as HAProxy's handlers do.
        XCTAssertEqual(error("set server", .user), "Permission denied\n")
        XCTAssertEqual(RuntimeCommand.setWeight(backend: "b", server: "s", weight: "1").requiredLevel, .admin)
        XCTAssertEqual(RuntimeCommand.showStat(format: .csv, scope: nil, visibility: .all).requiredLevel, .user)
        XCTAssertEqual(RuntimeCommand.reload.requiredLevel, .operator_)
        XCTAssertTrue(RuntimeLevel.user < .operator_ && RuntimeLevel.operator_ < .admin)
    }

    func testMasterAndWorkerKeywordsAreSeparate() {
        XCTAssertEqual(ok("show proc", .user, master: true), .showProc)
        XCTAssertEqual(ok("reload", .operator_, master: true), .reload)
        XCTAssertEqual(error("reload", .user, master: true), "Permission denied\n")
        XCTAssertEqual(ok("show version", .user, master: true), .showVersion)
        XCTAssertNotNil(error("show proc"))
        XCTAssertNotNil(error("reload"))
        XCTAssertTrue(error("show stat", master: true)!.hasPrefix("Unknown command, but maybe one of the following ones is a better match:\n"))
        XCTAssertTrue(error("show stat", master: true)!.contains("  show proc                               : show processes status\n"))
    }

    /// HAProxy's master help (less `show cli sockets`), plus Fulcrum's `show vrrp` and `show bgp`.
    func testMasterHelpIsHAProxysWithoutCliSocketsPlusShowVRRP() {
        let expected = """
            The following commands are valid at this level:
              @!<pid>                                 : send a command to the <pid> process
              @<relative pid>                         : send a command to the <relative pid> process
              @master                                 : send a command to the master process
              operator                                : lower the level of the current CLI session to operator
              reload                                  : reload haproxy
              show bgp                                : show the BGP instances' states and BIRD's protocols
              show cli level                          : display the level of the current CLI session
              show proc                               : show processes status
              show version                            : show version of the current process
              show vrrp                               : show the VRRP instances' states and the VRRP process
              user                                    : lower the level of the current CLI session to user
              help [<command>]                        : list matching or all commands
              prompt                                  : toggle interactive mode with prompt
              quit                                    : disconnect

            """
        XCTAssertEqual(RuntimeFormat.help(master: true), expected)
    }

    func testWorkerHelp() {
        let help = RuntimeFormat.help(master: false)
        let lines = help.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "The following commands are valid at this level:")
        XCTAssertEqual(Array(lines.suffix(3)), RuntimeHelp.trailer.split(separator: "\n").map(String.init))
        let listed = Array(lines.dropFirst().dropLast(3))
        XCTAssertEqual(listed, listed.sorted())
        XCTAssertTrue(listed.contains("  show stat [json|no-maint|typed|up]*     : report counters for each proxy and server"))
        XCTAssertFalse(listed.contains { $0.contains("show proc") || $0.contains("@master") })
        XCTAssertEqual(listed.count, RuntimeKeyword.all.filter { $0.visible(master: false) }.count)
        XCTAssertEqual(RuntimeFormat.help(topic: ["set"], master: false),
                       "The following commands are valid at this level:\n"
                       + "  set map <map> [<key>|#<ref>] <value>    : modify a map entry\n"
                       + "  set maxconn frontend <frontend> <value> : change a frontend's maxconn setting\n"
                       + "  set maxconn global <value>              : change the per-process maxconn setting\n"
                       + "  set maxconn server <bk>/<srv>           : change a server's maxconn setting\n"
                       + "  set rate-limit <setting> <value>        : change a rate limiting value\n"
                       + "  set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl\n"
                       + "  set ssl ca-file <cafile> <payload>      : replace a CA file\n"
                       + "  set ssl cert <certfile> <payload>       : replace a certificate file\n"
                       + "  set timeout [cli] <delay>               : change a timeout setting\n"
                       + "  set weight <bk>/<srv>  (DEPRECATED)     : change a server's weight (use 'set server' instead)\n"
                       + RuntimeHelp.trailer)
    }

    func testUnknownCommandSuggestsNeighbours() {
        let text = error("show servers foo")!
        XCTAssertEqual(text, "Unknown command, but maybe one of the following ones is a better match:\n"
                       + "  show servers conn [<backend>]           : dump server connections status (all or for a single backend)\n"
                       + "  show servers state [<backend>]          : dump volatile server information (all or for a single backend)\n"
                       + RuntimeHelp.trailer)
        let typo = error("shwo stat")!
        XCTAssertTrue(typo.contains("show stat"), typo)
    }
}
