import XCTest
@testable import FulcrumCore

/// The snapshot of the HAProxy config the captures came from (see HAProxyCapture).
enum RuntimeFixture {
    static func server(_ backend: String, _ iid: Int, _ sid: Int, _ name: String, port: Int) -> RuntimeSnapshot.Server {
        var sv = RuntimeSnapshot.Server(name: name, backendName: backend, iid: iid, sid: sid, address: "127.0.0.1", port: port)
        sv.counters.rate = 0; sv.counters.rateMax = 0
        sv.counters.clientAborts = 0; sv.counters.serverAborts = 0
        return sv
    }

    static func backend(_ algorithm: String, fullconn: Int, dynamic: Bool = true) -> RuntimeSnapshot.Backend {
        var be = RuntimeSnapshot.Backend()
        be.algorithm = algorithm; be.fullconn = fullconn; be.dynamicWeights = dynamic
        be.counters.rate = 0; be.counters.rateMax = 0
        be.counters.clientAborts = 0; be.counters.serverAborts = 0
        return be
    }

    static func snapshot(lastChange: Int = 2) -> RuntimeSnapshot {
        var fe = RuntimeSnapshot.Frontend()
        fe.maxconn = 100
        fe.counters.rate = 0; fe.counters.rateMax = 0
        var be1 = backend("roundrobin", fullconn: 10)
        be1.lastChange = lastChange
        var be2 = backend("static-rr", fullconn: 1, dynamic: false)
        be2.lastChange = lastChange
        var be3 = backend("first", fullconn: 1)
        be3.lastChange = lastChange
        let proxies = [
            RuntimeSnapshot.Proxy(name: "fe1", iid: 2, frontend: fe),
            RuntimeSnapshot.Proxy(name: "be1", iid: 3, backend: be1),
            RuntimeSnapshot.Proxy(name: "be2", iid: 4, backend: be2),
            RuntimeSnapshot.Proxy(name: "be3", iid: 5, backend: be3),
            RuntimeSnapshot.Proxy(name: "li", iid: 6, frontend: fe, backend: be1),
        ]
        var s1 = server("be1", 3, 1, "s1", port: 18091)
        s1.check = RuntimeSnapshot.Check()
        s1.check?.status = .layer4OK; s1.check?.duration = 0
        s1.health = 4; s1.weight = 10; s1.userWeight = 10; s1.initialWeight = 10; s1.maxconn = 20
        s1.lastChange = lastChange
        var s2 = server("be1", 3, 2, "s2", port: 18092)
        s2.check = RuntimeSnapshot.Check()
        s2.check?.status = .layer4Connection; s2.check?.duration = 0; s2.check?.info = "Connection refused"
        s2.check?.failures = 1
        s2.operational = .down; s2.health = 0; s2.downTransitions = 1
        s2.lastChange = lastChange == 2 ? 1 : lastChange; s2.downtime = 1
        var s3 = server("be1", 3, 3, "s3", port: 18093)
        s3.backup = true; s3.lastChange = lastChange
        var a = server("be2", 4, 1, "a", port: 18094)
        a.admin = .configMaintenance; a.operational = .down; a.health = 0; a.lastChange = lastChange
        var b = server("be2", 4, 2, "b", port: 18095)
        b.lastChange = lastChange
        var f1 = server("be3", 5, 1, "f1", port: 18096)
        f1.lastChange = lastChange
        var l1 = server("li", 6, 1, "l1", port: 18091)
        l1.lastChange = lastChange
        var info = RuntimeSnapshot.Info()
        info.version = "1.0.0"
        return RuntimeSnapshot(proxies: proxies, servers: [s1, s2, s3, a, b, f1, l1], info: info, processNumber: 1, pid: 4242)
    }
}

final class RuntimeFormatTests: XCTestCase {
    /// Columns HAProxy fills that Fulcrum leaves empty (it does not measure them,
    /// or the feature does not exist in TCP mode); every other column must be
    /// byte-identical to HAProxy's.
    static let notProvided: Set<String> = []

    func row(_ csv: String, _ key: String) -> String? {
        csv.split(separator: "\n").map(String.init).first { $0.hasPrefix(key + ",") }
    }

    /// HAProxy's row with the columns Fulcrum does not provide emptied.
    func expected(_ theirs: String) -> String {
        let names = HAProxyCapture.statHeader.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false)
        var cols = theirs.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for i in cols.indices where i < names.count && Self.notProvided.contains(String(names[i])) { cols[i] = "" }
        return cols.joined(separator: ",")
    }

    func testCSVHeaderIsHAProxy26() {
        let out = RuntimeFormat.showStat(RuntimeFixture.snapshot(), format: .csv)
        XCTAssertEqual(out.split(separator: "\n").first.map(String.init), HAProxyCapture.statHeader)
        XCTAssertTrue(out.hasSuffix(",\n"))
    }

    func testCSVRowsAreHAProxysInEveryProvidedColumn() {
        let out = RuntimeFormat.showStat(RuntimeFixture.snapshot(), format: .csv)
        for (key, theirs) in HAProxyCapture.statRows {
            XCTAssertEqual(row(out, key), expected(theirs), key)
        }
        // The comparison is not vacuous: most columns are provided.
        let s1 = row(out, "be1,s1")!.split(separator: ",", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        XCTAssertGreaterThan(s1.count, 35)
    }

    func testRowOrderFrontendServersBackendPerProxy() {
        let out = RuntimeFormat.showStat(RuntimeFixture.snapshot(), format: .csv)
        let keys = out.split(separator: "\n").dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: ",") }
        XCTAssertEqual(keys, ["fe1,FRONTEND", "be1,s1", "be1,s2", "be1,s3", "be1,BACKEND", "be2,a", "be2,b", "be2,BACKEND",
                              "be3,f1", "be3,BACKEND", "li,FRONTEND", "li,l1", "li,BACKEND"])
    }

    func testFilterByProxyTypeAndServer() {
        let s = RuntimeFixture.snapshot()
        func keys(_ f: StatFilter) -> [String] {
            RuntimeFormat.showStat(s, format: .csv, filter: f).split(separator: "\n").dropFirst()
                .map { $0.split(separator: ",").prefix(2).joined(separator: ",") }
        }
        XCTAssertEqual(keys(StatFilter(iid: -1, type: 4, sid: -1)), ["be1,s1", "be1,s2", "be1,s3", "be2,a", "be2,b", "be3,f1", "li,l1"])
        XCTAssertEqual(keys(StatFilter(iid: 3, type: 4, sid: -1)), ["be1,s1", "be1,s2", "be1,s3"])
        XCTAssertEqual(keys(StatFilter(iid: 3, type: 2, sid: 0)), ["be1,BACKEND"])
        XCTAssertEqual(keys(StatFilter(iid: 3, type: -1, sid: 2)), ["be1,s2", "be1,BACKEND"])
        XCTAssertEqual(keys(StatFilter(iid: 6, type: 3, sid: -1)), ["li,FRONTEND", "li,BACKEND"])
        XCTAssertEqual(keys(StatFilter(iid: 3, type: 0, sid: -1)), [])
        XCTAssertEqual(keys(StatFilter(iid: 99, type: -1, sid: -1)), [])
        XCTAssertEqual(StatFilter.resolve(StatScope(proxy: "be2", type: 4, sid: -1), in: s), StatFilter(iid: 4, type: 4, sid: -1))
        XCTAssertEqual(StatFilter.resolve(StatScope(proxy: "5", type: 4, sid: -1), in: s)?.iid, 5)
        XCTAssertNil(StatFilter.resolve(StatScope(proxy: "nope", type: 4, sid: -1), in: s))
    }

    func testUpAndNoMaintHideServersAndCountInBackendStatus() {
        let s = RuntimeFixture.snapshot()
        let up = RuntimeFormat.showStat(s, format: .csv, visibility: .upOnly)
        XCTAssertNotNil(row(up, "be1,s1"))
        XCTAssertNil(row(up, "be1,s2"))
        XCTAssertNil(row(up, "be2,a"))
        XCTAssertEqual(row(up, "be1,BACKEND")?.split(separator: ",", omittingEmptySubsequences: false)[17], "UP (2/3)")
        XCTAssertEqual(row(up, "be2,BACKEND")?.split(separator: ",", omittingEmptySubsequences: false)[17], "UP (1/2)")
        let noMaint = RuntimeFormat.showStat(s, format: .csv, visibility: .noMaintenance)
        XCTAssertNotNil(row(noMaint, "be1,s2"))
        XCTAssertNil(row(noMaint, "be2,a"))
    }

    func testServerStatusTexts() {
        var sv = RuntimeFixture.snapshot().servers[0]  // checked, rise 2 fall 3
        func status() -> String { RuntimeStatRows.serverStatus(sv) }
        sv.health = 4; XCTAssertEqual(status(), "UP")
        sv.health = 2; XCTAssertEqual(status(), "UP 1/3")   // as HAProxy after `state ready`
        sv.admin = .drain; XCTAssertEqual(status(), "DRAIN 1/3")
        sv.health = 4; XCTAssertEqual(status(), "DRAIN")
        sv.admin = []; sv.operational = .stopping; XCTAssertEqual(status(), "NOLB")
        sv.health = 3; XCTAssertEqual(status(), "NOLB 2/3")
        sv.operational = .down; sv.health = 1; XCTAssertEqual(status(), "DOWN 1/2")
        sv.health = 0; XCTAssertEqual(status(), "DOWN")
        sv.admin = .forcedMaintenance; XCTAssertEqual(status(), "MAINT")
        sv.admin = []; sv.check?.enabled = false; sv.operational = .up; XCTAssertEqual(status(), "no check")
        sv.operational = .stopping; XCTAssertEqual(status(), "NOLB")
        sv.operational = .down; sv.health = 2; XCTAssertEqual(status(), "DOWN")
    }

    func testBackendWeightFollowsHAProxyRecount() {
        var s = RuntimeFixture.snapshot()
        func backendRow() -> [Substring] {
            row(RuntimeFormat.showStat(s, format: .csv), "be1,BACKEND")!.split(separator: ",", omittingEmptySubsequences: false)
        }
        // s1 down too: only the backup s3 remains.
        s.servers[0].operational = .down
        XCTAssertEqual(backendRow()[17...20], ["UP", "1", "0", "1"])
        // a draining server is not usable, whatever its weight column says.
        s.servers[2].admin = .drain
        XCTAssertEqual(backendRow()[17...20], ["DOWN", "0", "0", "0"])
        // allbackups: every usable backup counts; otherwise only the first.
        s.servers[2].admin = []
        var extra = RuntimeFixture.server("be1", 3, 4, "s4", port: 1)
        extra.backup = true; extra.weight = 5; extra.userWeight = 5
        s.servers.insert(extra, at: 3)
        XCTAssertEqual(backendRow()[17...20], ["UP", "1", "0", "2"])
        s.proxies[1].backend?.allBackups = true
        XCTAssertEqual(backendRow()[17...20], ["UP", "6", "0", "2"])
    }

    func testTypedLinesAreHAProxys() {
        let out = RuntimeFormat.showStat(RuntimeFixture.snapshot(lastChange: 9), format: .typed)
        let ours = out.split(separator: "\n").map(String.init).filter { $0.hasPrefix("S.3.1.") }
        let theirs = Set(HAProxyCapture.typedServerLines.split(separator: "\n").map(String.init))
        XCTAssertGreaterThan(ours.count, 30)
        for line in ours { XCTAssertTrue(theirs.contains(line), "not as HAProxy: \(line)") }
        XCTAssertTrue(out.hasPrefix("F.2.0.0.pxname.1:KNS:str:fe1\nF.2.0.1.svname.1:KNS:str:FRONTEND\nF.2.0.4.scur.1:MGP:u32:0\n"))
    }

    func testJSONShape() {
        let out = RuntimeFormat.showStat(RuntimeFixture.snapshot(), format: .json)
        XCTAssertTrue(out.hasPrefix(HAProxyCapture.jsonStart), String(out.prefix(400)))
        XCTAssertTrue(out.hasSuffix("}}]]\n"))
        XCTAssertTrue(out.contains(#"{"objType":"Server","proxyId":3,"id":2,"field":{"pos":56,"name":"last_chk"},"processNum":1,"tags":{"origin":"Metric","nature":"Output","scope":"Process"},"value":{"type":"str","value":"Connection refused"}}"#))
        XCTAssertEqual(RuntimeFormat.showStat(RuntimeFixture.snapshot(), format: .json, filter: StatFilter(iid: 99)), "[]\n")
        XCTAssertEqual(RuntimeFormat.jsonString("a\"b\\c\u{1}"), #""a\"b\\c\u0001""#)
    }

    func testCSVQuotesOnlyWhenNeeded() {
        XCTAssertEqual(RuntimeFormat.csvQuoted("Layer4 check passed"), "Layer4 check passed")
        XCTAssertEqual(RuntimeFormat.csvQuoted("a,\"b\""), "\"a,\"\"b\"\"\"")
    }

    func testShowInfoFieldsAndFormats() {
        var s = RuntimeFixture.snapshot()
        s.info.uptimeSeconds = 180
        s.info.maxconn = 100
        let plain = RuntimeFormat.showInfo(s)
        let names = plain.split(separator: "\n").map { String($0[..<$0.range(of: ": ")!.lowerBound]) }
        XCTAssertEqual(names, HAProxyCapture.infoNames)
        XCTAssertTrue(plain.hasPrefix("Name: HAProxy\nVersion: 1.0.0\n"))
        XCTAssertTrue(plain.contains("\nUptime: 0d 0h03m00s\nUptime_sec: 180\n"))
        XCTAssertTrue(plain.contains("\nPid: 4242\n"))
        let typed = RuntimeFormat.showInfo(s, format: .typed)
        XCTAssertTrue(typed.contains("\n7.Uptime.1:MDP:str:0d 0h03m00s\n8.Uptime_sec.1:MDP:u32:180\n"))
        XCTAssertTrue(typed.contains("\n15.Maxconn.1:CLP:u32:100\n"))
        XCTAssertTrue(typed.contains("\n47.Tasks.1:MGP:u32:0\n"))
        XCTAssertTrue(typed.hasSuffix("71.Tainted.1:SGP:str:0\n"))
        s.info.description = "edge"
        XCTAssertTrue(RuntimeFormat.showInfo(s, format: .typed).contains("\n50.node.1:COS:str:\n51.description.1:COS:str:edge\n"))
        let json = RuntimeFormat.showInfo(s, format: .json)
        XCTAssertTrue(json.hasPrefix(#"[{"field":{"pos":0,"name":"Name"},"processNum":1,"tags":{"origin":"Product","nature":"Output","scope":"Service"},"value":{"type":"str","value":"HAProxy"}},"#))
        XCTAssertTrue(json.hasSuffix(#""value":{"type":"str","value":"0"}}]"# + "\n"))
        XCTAssertEqual(RuntimeFormat.infoUptime(90061), "1d 1h01m01s")
    }

    func testServersStateIsHAProxys() {
        let s = RuntimeFixture.snapshot(lastChange: 30)
        let out = RuntimeFormat.showServersState(s, backend: "be1")
        let expected = HAProxyCapture.serversState.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("4 ") }.joined(separator: "\n")
        XCTAssertEqual(out, expected)
        let all = RuntimeFormat.showServersState(s, backend: nil)
        XCTAssertTrue(all.hasPrefix(HAProxyCapture.serversState))
        XCTAssertEqual(RuntimeFormat.showServersState(s, backend: "nope"), "Can't find backend.\n")
        XCTAssertEqual(RuntimeFormat.showServersState(s, backend: "fe1"), "Can't find backend.\n")
    }

    func testServersStateNumbersForMaintenanceAndDrain() {
        var sv = RuntimeFixture.snapshot().servers[0]
        sv.admin = .forcedMaintenance; sv.health = 0
        var s = RuntimeSnapshot(proxies: RuntimeFixture.snapshot().proxies, servers: [sv])
        XCTAssertTrue(RuntimeFormat.showServersState(s, backend: nil).contains("\n3 be1 1 s1 127.0.0.1 0 1 10 10 2 6 3 0 14 0 0 0 - 18091 - 0 0 - - 0\n"))
        sv.admin = .drain; sv.health = 4
        s.servers = [sv]
        XCTAssertTrue(RuntimeFormat.showServersState(s, backend: nil).contains("\n3 be1 1 s1 127.0.0.1 2 8 10 10 2 6 3 4 6 0 0 0 - 18091 - 0 0 - - 0\n"))
        sv.check?.enabled = false; sv.operational = .stopping
        s.servers = [sv]
        XCTAssertTrue(RuntimeFormat.showServersState(s, backend: nil).contains(" 3 8 10 10 2 6 3 4 2 0 "))
    }

    func testServersConnBackendAndWeight() {
        let s = RuntimeFixture.snapshot()
        let conn = RuntimeFormat.showServersConn(s, backend: "be2")
        XCTAssertEqual(conn, "# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr[1]\n"
            + "be2/a 4/1 127.0.0.1 18094 - 5000 0 0 0 0 0 -1 0 0\nbe2/b 4/2 127.0.0.1 18095 - 5000 0 0 0 0 0 -1 0 0\n")
        XCTAssertEqual(RuntimeFormat.showServersConn(s, backend: "x"), "Can't find backend.\n")
        XCTAssertEqual(RuntimeFormat.showBackend(s), "# name\nbe1\nbe2\nbe3\nli\n")
        XCTAssertEqual(RuntimeFormat.getWeight(s.servers[0]), "10 (initial 10)\n")
    }

    func testShowProcIsHAProxys() {
        let v = "2.6.12-1+deb12u4"
        var master = RuntimeFormat.Process(pid: 15183, kind: .master, reloads: 1, uptimeSeconds: 18, version: v)
        master.failedReloads = 0
        let out = RuntimeFormat.showProc([
            master,
            RuntimeFormat.Process(pid: 15185, kind: .worker, reloads: 1, uptimeSeconds: 18, version: v, leaving: true),
            RuntimeFormat.Process(pid: 15698, kind: .worker, reloads: 0, uptimeSeconds: 1, version: v),
        ])
        XCTAssertEqual(out, HAProxyCapture.showProc)
        let programs = RuntimeFormat.showProc([RuntimeFormat.Process(pid: 7, kind: .program(name: "vrrp"), reloads: 2, uptimeSeconds: 3661, version: "x")])
        XCTAssertTrue(programs.hasSuffix("# programs\n7               vrrp            2               0d01h01m01s     -              \n"))
    }
}
