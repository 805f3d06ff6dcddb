import XCTest
import Foundation

/// The runtime API over real sockets: stats sockets and the master CLI,
/// HAProxy's CSV, admin changes applied in every worker, levels, per-worker
/// views that add up to the aggregate.
final class RuntimeAPITests: XCTestCase {
    /// Starts fulcrum with stats sockets; `{dir}` in the config is the process's temp dir.
    private func launch(workers: Int, servers: [TestBackend], serverOptions: String = "") throws -> (FulcrumProcess, UInt16) {
        let port = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "frt")
        addTeardownBlock { dir.remove() }
        var cfg = """
            global
                workers \(workers)
                stats socket \(dir.file("admin.sock")) mode 600 level admin
                stats socket \(dir.file("user.sock")) mode 666 level user
            defaults
                mode tcp
                timeout connect 2s
                timeout client 20s
                timeout server 20s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be_app
            backend be_app

            """
        for (i, s) in servers.enumerated() { cfg += "    server s\(i + 1) 127.0.0.1:\(s.port) \(serverOptions)\n" }
        let p = try startFulcrum(config: cfg, arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: workers)
        try p.waitUntilMasterSocketListening()
        socketDir = dir
        return (p, port)
    }
    private var socketDir: TemporaryDirectory?

    private func admin(_ command: String) throws -> String {
        try MasterCLI.send(command, socketPath: socketDir!.file("admin.sock"), timeout: 5)
    }
    private func user(_ command: String) throws -> String {
        try MasterCLI.send(command, socketPath: socketDir!.file("user.sock"), timeout: 5)
    }

    /// Rows of `show stat` CSV keyed by "pxname/svname", columns by header name.
    private func stats(_ csv: String) -> [String: [String: String]] {
        var lines = csv.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let header = lines.first, header.hasPrefix("# ") else { return [:] }
        let names = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        lines.removeFirst()
        var out: [String: [String: String]] = [:]
        for l in lines {
            let cols = l.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var row: [String: String] = [:]
            for (i, n) in names.enumerated() where i < cols.count { row[n] = cols[i] }
            out["\(cols[0])/\(cols[1])"] = row
        }
        return out
    }

    private func identify(_ port: UInt16) -> String? {
        guard let c = try? TCPClient.connect(port: port, timeout: 3) else { return nil }
        return try? c.readLine(timeout: 3)
    }

    func testShowStatHeaderAndCountersEqualConnectionsSentSummedOverWorkers() throws {
        let s1 = try startBackend(.identify("s1")), s2 = try startBackend(.identify("s2"))
        let (p, port) = try launch(workers: 2, servers: [s1, s2])
        for _ in 0..<40 { XCTAssertNotNil(identify(port)) }
        XCTAssertTrue(waitUntil(timeout: 5, interval: 0.05) {
            (self.stats((try? self.admin("show stat")) ?? "")["fe/FRONTEND"]?["scur"]) == "0"
        })
        let csv = try admin("show stat")
        XCTAssertTrue(csv.hasPrefix("# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,"), csv)
        let rows = stats(csv)
        XCTAssertEqual(rows["fe/FRONTEND"]?["stot"], "40")
        XCTAssertEqual(rows["be_app/BACKEND"]?["stot"], "40")
        let st1 = Int(rows["be_app/s1"]?["stot"] ?? "") ?? -1, st2 = Int(rows["be_app/s2"]?["stot"] ?? "") ?? -1
        XCTAssertEqual(st1 + st2, 40)
        XCTAssertEqual(Double(st1), 20, accuracy: 2, "each worker runs its own roundrobin: 1:1 within a few")
        XCTAssertEqual(rows["be_app/s1"]?["status"], "no check", "HAProxy's status for a server without checks")
        XCTAssertEqual(rows["be_app/s1"]?["lastsess"].flatMap(Int.init).map { $0 >= 0 && $0 < 30 }, true)

        // Per worker (master CLI @N): each worker's own rows; they add up to the aggregate.
        var perWorkerFrontend = 0, perWorkerS1 = 0
        for n in 1...2 {
            let w = stats(try p.masterCommand("@\(n) show stat"))
            perWorkerFrontend += Int(w["fe/FRONTEND"]?["stot"] ?? "") ?? -1000
            perWorkerS1 += Int(w["be_app/s1"]?["stot"] ?? "") ?? -1000
        }
        XCTAssertEqual(perWorkerFrontend, 40)
        XCTAssertEqual(perWorkerS1, st1)
        XCTAssertEqual(stats(try p.masterCommand("show stat"))["fe/FRONTEND"]?["stot"], "40", "master CLI aggregates")
        XCTAssertTrue(try p.masterCommand("@!\(p.childPids(role: "worker")[0]) show info").contains("Name: HAProxy"))
        XCTAssertTrue(try p.masterCommand("@9 show stat").contains("Can't find"))
    }

    func testDisableEnableDrainMaintAndWeightChangeTrafficInAllWorkers() throws {
        let s1 = try startBackend(.identify("s1")), s2 = try startBackend(.identify("s2"))
        let (_, port) = try launch(workers: 2, servers: [s1, s2])
        func shares(_ n: Int) -> [String: Int] {
            var c: [String: Int] = [:]
            for _ in 0..<n { if let name = identify(port) { c[name, default: 0] += 1 } }
            return c
        }
        XCTAssertEqual(try admin("disable server be_app/s1"), "\n")
        XCTAssertEqual(shares(20), ["s2": 20])
        XCTAssertEqual(stats(try admin("show stat"))["be_app/s1"]?["status"], "MAINT")
        XCTAssertEqual(try admin("enable server be_app/s1"), "\n")
        // Each worker keeps its own roundrobin position: 1:1 within a couple.
        let both = shares(20)
        XCTAssertEqual(Double(both["s1"] ?? 0), 10, accuracy: 2, "\(both)")
        XCTAssertEqual((both["s1"] ?? 0) + (both["s2"] ?? 0), 20)

        XCTAssertEqual(try admin("set server be_app/s2 state drain"), "\n")
        XCTAssertEqual(shares(20), ["s1": 20])
        XCTAssertEqual(stats(try admin("show stat"))["be_app/s2"]?["status"], "DRAIN")
        XCTAssertEqual(try admin("set server be_app/s2 state maint"), "\n")
        XCTAssertEqual(shares(10), ["s1": 10])
        XCTAssertEqual(try admin("set server be_app/s2 state ready"), "\n")

        // weight 3:1 (weights are read from the table on every choice).
        XCTAssertEqual(try admin("set weight be_app/s1 3"), "\n")
        XCTAssertEqual(try admin("get weight be_app/s1"), "3 (initial 1)\n\n")
        let weighted = shares(40)
        XCTAssertEqual(Double(weighted["s1"] ?? 0), 30, accuracy: 3, "\(weighted)")
        XCTAssertEqual(try admin("set server be_app/s1 weight 0"), "\n")
        XCTAssertEqual(shares(10), ["s2": 10])
        XCTAssertEqual(try admin("set server be_app/s1 weight 100%"), "\n")

        XCTAssertEqual(try admin("set server be_app/s2 health down"), "\n")
        XCTAssertEqual(shares(10), ["s1": 10])
        XCTAssertEqual(try admin("set server be_app/s2 health up"), "\n")
        let back = shares(20)
        XCTAssertEqual(Double(back["s2"] ?? 0), 10, accuracy: 2, "\(back)")
    }

    func testUserLevelSocketRefusesWritesAndTheSocketGetsItsMode() throws {
        let s1 = try startBackend(.identify("s1"))
        let (p, port) = try launch(workers: 1, servers: [s1])
        XCTAssertTrue(try user("disable server be_app/s1").contains("Permission denied"))
        XCTAssertTrue(try user("set weight be_app/s1 0").contains("Permission denied"))
        XCTAssertEqual(identify(port), "s1", "the refused command changed nothing")
        XCTAssertTrue(try user("show stat").hasPrefix("# pxname"))
        var st = stat()
        XCTAssertEqual(stat(socketDir!.file("user.sock"), &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o666)
        XCTAssertEqual(stat(socketDir!.file("admin.sock"), &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600)
        XCTAssertTrue(try admin("show servers state be_app").hasPrefix("1\n# be_id be_name srv_id srv_name"))
        XCTAssertTrue(try p.masterCommand("help").contains("show proc"))
        XCTAssertTrue(try admin("frobnicate").contains("Unknown command"))
    }

    func testShowInfoAndCheckColumns() throws {
        let s1 = try startBackend(.identify("s1"))
        let dead = try FreePort.next()
        let port = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "frt")
        addTeardownBlock { dir.remove() }
        socketDir = dir
        let p = try startFulcrum(config: """
            global
                workers 2
                stats socket \(dir.file("admin.sock")) level admin
            defaults
                mode tcp
                timeout connect 1s
                timeout client 20s
                timeout server 20s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be_app
            backend be_app
                server s1 127.0.0.1:\(s1.port) check inter 200
                server s2 127.0.0.1:\(dead) check inter 200

            """)
        try p.waitUntilListening(port: port, sockets: 2)
        XCTAssertTrue(p.waitForStderr(containing: "Server be_app/s2 is DOWN", timeout: 10), p.stderrTail())
        let rows = stats(try admin("show stat"))
        XCTAssertEqual(rows["be_app/s1"]?["check_status"], "L4OK")
        XCTAssertEqual(rows["be_app/s2"]?["check_status"], "L4CON")
        XCTAssertEqual(rows["be_app/s2"]?["status"], "DOWN")
        XCTAssertEqual(rows["be_app/s2"]?["chkdown"], "1")
        XCTAssertGreaterThanOrEqual(Int(rows["be_app/s2"]?["chkfail"] ?? "") ?? 0, 1)
        let info = try admin("show info")
        XCTAssertTrue(info.contains("Name: HAProxy\nVersion: 2.6.12-fulcrum-"), info)
        XCTAssertTrue(info.contains("Build info: Fulcrum "), info)
        XCTAssertTrue(info.contains("Uptime_sec: "), info)
    }
}
