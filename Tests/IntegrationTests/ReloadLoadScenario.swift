import XCTest
import Foundation

/// The "reload under load" scenario shared by the fulcrum tests and the
/// side-by-side run against HAProxy and nginx: wrk drives an nginx backend
/// through the proxy while the proxy is reloaded 20 times, about every
/// 300 ms, each time with a changed configuration (worker count 1↔2↔3, a
/// second server added or removed, balance roundrobin↔leastconn). wrk's own
/// counts (socket errors, non-2xx/3xx) are the result.
enum ReloadLoadScenario {
    static let reloads = 20
    static let reloadPeriod = 0.3
    /// wrk runs this long: a second before the first reload, the reloads, and
    /// the tail during which the last old generation drains.
    static let wrkSeconds = 12

    /// What changes from one reload to the next.
    struct Variant {
        var workers: Int
        var secondServer: Bool
        var leastconn: Bool

        /// Variant `i` (0 = the initial configuration): the worker count
        /// changes every time (2, 3, 2, 1, ...), the second server every
        /// other time, the balance algorithm every fourth.
        static func number(_ i: Int) -> Variant {
            Variant(workers: [2, 3, 2, 1][i % 4], secondServer: i % 2 == 1, leastconn: (i / 2) % 2 == 1)
        }
    }

    /// A configuration that means the same to fulcrum and to HAProxy
    /// (fulcrum reads `nbthread` as its worker count).
    static func proxyConfig(mode: String, port: UInt16, backend: UInt16, _ v: Variant) -> String {
        """
        global
            nbthread \(v.workers)
        defaults
            mode \(mode)
            timeout connect 2s
            timeout client 30s
            timeout server 30s
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be
        backend be
            balance \(v.leastconn ? "leastconn" : "roundrobin")
            server s1 127.0.0.1:\(backend)
        \(v.secondServer ? "    server s2 127.0.0.1:\(backend)\n" : "")
        """
    }

    /// nginx as the reverse proxy, the same variants.
    static func nginxProxyHTTP(backend: UInt16, _ v: Variant) -> String {
        """
            upstream be {
                \(v.leastconn ? "least_conn;" : "")
                server 127.0.0.1:\(backend);
                \(v.secondServer ? "server 127.0.0.1:\(backend);" : "")
            }
            server {
                listen 127.0.0.1:{port};
                keepalive_requests 1000000;
                location / { proxy_pass http://be; }
            }
        """
    }

    /// The page wrk asks for: small, like an API answer.
    static let page = [UInt8](repeating: UInt8(ascii: "x"), count: 612)

    struct Run {
        var wrk: WrkResult
        /// The master CLI's answers to the reloads (fulcrum only).
        var answers: [String] = []
        /// Whether wrk was still running when the last reload was done, i.e.
        /// every reload happened under load.
        var reloadsUnderLoad: Bool
    }

    /// Runs wrk on `port` and calls `reload(i)` for i in 1...20 at the
    /// reload period, starting one second in.
    static func drive(port: UInt16, connections: Int, close: Bool, reload: (Int) throws -> String?) throws -> Run {
        let wrk = try WrkRun(url: "http://127.0.0.1:\(port)/index.html", connections: connections,
                             duration: wrkSeconds, headers: close ? ["Connection: close"] : [])
        sleepSeconds(1)
        var answers: [String] = []
        for i in 1...reloads {
            let start = Deadline.nowNanoseconds()
            if let answer = try reload(i) { answers.append(answer) }
            let spent = Double(Deadline.nowNanoseconds() - start) / 1e9
            sleepSeconds(max(0, reloadPeriod - spent))
        }
        let underLoad = wrk.isRunning
        return Run(wrk: try wrk.finish(), answers: answers, reloadsUnderLoad: underLoad)
    }

    /// fulcrum (reloaded through the master CLI, which answers when the new
    /// generation serves) in `mode` in front of `backend`.
    static func fulcrum(_ test: XCTestCase, mode: String, backend: UInt16, connections: Int, close: Bool) throws -> Run {
        let port = try FreePort.next()
        let p = try test.startFulcrum(config: proxyConfig(mode: mode, port: port, backend: backend, .number(0)),
                                      arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        try p.waitUntilMasterSocketListening()
        let run = try drive(port: port, connections: connections, close: close) { i in
            try p.writeConfig(proxyConfig(mode: mode, port: port, backend: backend, .number(i)))
            return try p.reloadViaMasterCLI()
        }
        let last = Variant.number(reloads)
        XCTAssertTrue(p.waitUntilSettled(workers: last.workers, timeout: 15),
                      "old generations still alive after wrk ended: \(p.childPids()) \((try? p.masterCommand("show proc")) ?? "")")
        return run
    }

    /// HAProxy in master-worker mode (-W -S), reloaded with SIGUSR2.
    static func haproxy(_ test: XCTestCase, mode: String, backend: UInt16, connections: Int, close: Bool) throws -> Run {
        let haproxy = try requireTool("haproxy")
        let port = try FreePort.next()
        let p = try test.startFulcrum(config: proxyConfig(mode: mode, port: port, backend: backend, .number(0)),
                                      arguments: ["-W", "-S", "{dir}/master.sock", "-f", "{config}"], executable: haproxy)
        try p.waitUntilListening(port: port)
        return try drive(port: port, connections: connections, close: close) { i in
            try p.writeConfig(proxyConfig(mode: mode, port: port, backend: backend, .number(i)))
            try p.signal(SIGUSR2)
            return nil
        }
    }

    /// nginx as the reverse proxy, reloaded with `nginx -s reload`.
    static func nginx(backend: UInt16, connections: Int, close: Bool) throws -> Run {
        let v0 = Variant.number(0)
        let proxy = try NginxServer(http: nginxProxyHTTP(backend: backend, v0), workers: v0.workers)
        defer { proxy.stop() }
        return try drive(port: proxy.port, connections: connections, close: close) { i in
            let v = Variant.number(i)
            try proxy.writeConfig(http: nginxProxyHTTP(backend: backend, v), workers: v.workers)
            try proxy.reload()
            return nil
        }
    }
}
