import XCTest
@testable import FulcrumConfig

final class GlobalSectionTests: XCTestCase {
    func testServedKeywords() {
        let r = parse("""
        global
            daemon
            pidfile /run/fulcrum.pid
            user haproxy
            group haproxy
            chroot /var/lib/haproxy
            maxconn 4096
            workers 4
            nbthread 2
        """)
        XCTAssertEqual(r.diagnostics, [])
        let g = r.configuration.global
        XCTAssertTrue(g.daemon)
        XCTAssertEqual(g.pidfile, "/run/fulcrum.pid")
        XCTAssertEqual(g.user, "haproxy")
        XCTAssertEqual(g.group, "haproxy")
        XCTAssertEqual(g.chroot, "/var/lib/haproxy")
        XCTAssertEqual(g.maxconn, 4096)
        XCTAssertEqual(g.workers, 4)
        XCTAssertEqual(g.nbthread, 2)
    }

    func testNbthreadWithoutWorkersIsANotice() {
        let r = parse("global\n    nbthread 3\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.notices.count, 1)
        XCTAssertEqual(r.notices.first?.location, SourceLocation(file: "t.cfg", line: 2, column: 5))
        XCTAssertEqual(r.notices.first?.message,
                       "'nbthread 3' without 'workers': Fulcrum runs 3 single-threaded worker processes (set 'workers' to choose the number of workers explicitly)")
        XCTAssertNil(r.configuration.global.workers)
    }

    func testValueErrors() {
        assertSingleAlert(parse("global\n  maxconn lots\n"), "'maxconn' expects an integer argument (got 'lots')", line: 2, column: 11)
        assertSingleAlert(parse("global\n  workers 0\n"), "'workers' must be between 1 and 4096 (got 0)", line: 2, column: 11)
        assertSingleAlert(parse("global\n  pidfile\n"), "'pidfile' expects an argument", line: 2, column: 3)
        assertSingleAlert(parse("global\n  user a b\n"), "unexpected argument 'b' for 'user'", line: 2, column: 10)
        assertSingleAlert(parse("global\n  daemon now\n"), "unexpected argument 'now' for 'daemon'", line: 2, column: 10)
    }

    func testRepeatedKeywordWarns() {
        let r = parse("global\n  user a\n  user b\n")
        XCTAssertEqual(r.configuration.global.user, "b")
        XCTAssertEqual(r.warnings.map(\.message), ["'user' already specified at t.cfg:2:3; the last value is used"])
    }

    func testNotSupportedYet() {
        let r = parse("""
        global
            numa-cpu-mapping
            stats maxconn 10
            ca-base /etc/ssl/certs
            ssl-default-bind-ciphers ECDHE
            tune.ssl.cachesize 1000
            nbproc 2
        """)
        XCTAssertEqual(r.alerts.map(\.message), [
            "keyword 'numa-cpu-mapping' is not supported yet (in section 'global')",
            "keyword 'stats maxconn' is not supported yet (in section 'global')",
            "nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.",
            "'ca-base' is parsed but TLS is not supported yet (the workers do not serve it)",
            "'ssl-default-bind-ciphers' is parsed but TLS is not supported yet (the workers do not serve it)",
            "'tune.ssl.cachesize' is parsed but TLS is not supported yet (the workers do not serve it)",
        ])
        XCTAssertEqual(r.alerts[1].description, "[ALERT] t.cfg:3:5: keyword 'stats maxconn' is not supported yet (in section 'global')")
    }

    func testUnknownKeywordWithSuggestion() {
        assertSingleAlert(parse("global\n  deamon\n"), "unknown keyword 'deamon' in 'global' section; did you mean 'daemon'?", line: 2, column: 3)
        assertSingleAlert(parse("global\n  frobnicate\n"), "unknown keyword 'frobnicate' in 'global' section", line: 2, column: 3)
        // A proxy keyword is unknown in global.
        XCTAssertEqual(parse("global\n  balance roundrobin\n").alerts.first?.message, "unknown keyword 'balance' in 'global' section")
    }
}

extension GlobalSectionTests {
    func testFileLimitKeywords() {
        let r = parse("global\n    ulimit-n 4096\n    no strict-limits\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.configuration.global.ulimitN, 4096)
        XCTAssertEqual(r.configuration.global.strictLimits, false)
        XCTAssertEqual(parse("global\n    maxconn 10\n").configuration.global.strictLimits, true, "HAProxy 2.6's default")
        XCTAssertEqual(parse("global\n    no strict-limits\n    strict-limits\n").configuration.global.strictLimits, true)
        assertSingleAlert(parse("global\n    ulimit-n many\n"), "'ulimit-n' expects an integer argument.", line: 2, column: 14)
    }
}

extension GlobalSectionTests {
    func testNumericUIDAndGID() {
        let r = parse("global\n    uid 100\n    gid 200\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.configuration.global.user, "100")
        XCTAssertEqual(r.configuration.global.group, "200")
        assertSingleAlert(parse("global\n    uid haproxy\n"), "'uid' expects an integer argument.", line: 2, column: 9)
    }
}

final class GlobalEnvironmentTests: XCTestCase {
    func testSetenvFamilyEditsWhatLaterLinesExpandAndTheResult() {
        let r = ConfigParser.parse([ConfigSource(name: "t.cfg", text: """
            global
                setenv A one
                presetenv A two
                presetenv B "${A}-b"
                setenv C c
                unsetenv C KEEP_ME_NOT
                maxconn "${MAXC}"
            global
                setenv MAXC 7
                maxconn "${MAXC}"

            """)], environment: ["KEEP": "k", "KEEP_ME_NOT": "x", "MAXC": "5"])
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.configuration.global.maxconn, 7, "the second maxconn expands the value setenv gave")
        XCTAssertEqual(r.configuration.global.environment, ["A": "one", "B": "one-b", "KEEP": "k", "MAXC": "7"])
        let reset = ConfigParser.parse([ConfigSource(name: "t.cfg", text: "global\n    resetenv KEEP\n    setenv N 1\n")],
                                       environment: ["KEEP": "k", "DROP": "d"])
        XCTAssertEqual(reset.configuration.global.environment, ["KEEP": "k", "N": "1"])
        let none = ConfigParser.parse([ConfigSource(name: "t.cfg", text: "global\n    maxconn 5\n")], environment: ["X": "y"])
        XCTAssertNil(none.configuration.global.environment, "no edit: the environment is left as it is")
        let bad = ConfigParser.parse([ConfigSource(name: "t.cfg", text: "global\n    setenv ONLY\n")], environment: [:])
        XCTAssertEqual(bad.alerts.map(\.message), ["'setenv' expects exactly 2 arguments."])
    }
}

extension GlobalSectionTests {
    /// `tune.listener.multi-queue`: on by default, as HAProxy (workers may
    /// take from busy siblings' sockets), `off` keeps each to its own socket.
    func testListenerMultiQueue() {
        XCTAssertTrue(parse("global\n    workers 2\n").configuration.global.listenerMultiQueue)
        let off = parse("global\n    tune.listener.multi-queue off\n")
        XCTAssertEqual(off.alerts, [])
        XCTAssertFalse(off.configuration.global.listenerMultiQueue)
        XCTAssertTrue(parse("global\n    tune.listener.multi-queue off\n    tune.listener.multi-queue on\n").configuration.global.listenerMultiQueue)
        assertSingleAlert(parse("global\n    tune.listener.multi-queue yes\n"),
                          "'tune.listener.multi-queue' expects 'on' or 'off'.", line: 2, column: 31)
    }
}

extension GlobalSectionTests {
    /// How many workers run, and how many connections one takes per wakeup.
    func testWorkerCountAndAcceptBurst() {
        XCTAssertEqual(parse("global\n    workers 3\n    nbthread 2\n").configuration.global.workerCount(onlineProcessors: 8), 3)
        XCTAssertEqual(parse("global\n    nbthread 2\n").configuration.global.workerCount(onlineProcessors: 8), 2)
        XCTAssertEqual(parse("global\n").configuration.global.workerCount(onlineProcessors: 8), 8)
        let g = parse("global\n    workers 2\n").configuration.global
        XCTAssertEqual(g.acceptBurst(watchingSiblings: true), 4, "one woken worker does not take a whole burst")
        XCTAssertEqual(g.acceptBurst(watchingSiblings: false), 64)
        XCTAssertEqual(parse("global\n    tune.maxaccept 10\n").configuration.global.acceptBurst(watchingSiblings: true), 10)
        XCTAssertEqual(parse("global\n    tune.maxaccept -1\n").configuration.global.acceptBurst(watchingSiblings: true), Int.max)
    }
}
