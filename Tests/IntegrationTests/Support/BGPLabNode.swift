import Foundation
import Glibc

/// One Fulcrum node of a `BGPLab`: nginx as its backend (answering its own
/// name), BIRD speaking eBGP to the router, Fulcrum proxying port 80 to nginx
/// and announcing the VIP through that BIRD. Also the router's BIRD and the
/// client's flow loop.
final class BGPLabNode {
    let lab: BGPLab
    let index: Int
    let masterSocket: String
    let birdSocket: String
    let include: String
    var fulcrum: VRRPLabProcess?
    var bird: VRRPLabProcess?
    var backend: VRRPLabProcess?
    /// More keepalived blocks after the `web` instance (another bgp_instance).
    var extraConfig = ""
    /// More `global` lines (a `localpeer`, a stats socket).
    var globalConfig = ""
    /// The proxy sections: by default `fe` on :80 to `app`, nginx checked every 200 ms.
    var proxyConfig = """
        frontend fe
            bind 0.0.0.0:80
            default_backend app
        backend app
            server s1 127.0.0.1:8081 check inter 200 fall 1 rise 1

        """
    /// nginx servers on 127.0.0.1:8081, 8082...: with one, it answers the
    /// node's name ("n2"); with several, the node's and its own ("n2-s1").
    var backendServers = 1
    var namespace: String { lab.nodeNamespace(index) }
    var nodeName: String { "n\(index)" }

    init(lab: BGPLab, index: Int) {
        self.lab = lab
        self.index = index
        masterSocket = lab.directory.file("n\(index)-master.sock")
        birdSocket = lab.directory.file("n\(index)-bird.ctl")
        include = lab.directory.file("n\(index)-vips.conf")
    }

    /// Fulcrum's configuration: `proxyConfig` (an HTTP proxy on :80 to
    /// nginx), and the VIP announced while its backend `app` is usable.
    var fulcrumConfig: String {
        """
        global
            workers 1
        \(globalConfig)
        defaults
            mode http
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        \(proxyConfig)
        bgp_defs {
            bird_socket \(birdSocket)
            bird_include \(include)
            vip_interface lo
            bird_retry 0.5
        }
        bgp_instance web {
            virtual_ipaddress {
                \(BGPLab.vip)
            }
            track_backend {
                app
            }
            track_frontend fe
            interval 0.2
            rise 2
            fall 2
            hold_down 3
            drain_time 2
        }

        """ + extraConfig
    }

    /// nginx in one process (no master), so SIGKILL closes its listener at once:
    /// a backend that fails, not one that drains.
    func startBackend() throws {
        let dir = lab.directory.file("n\(index)-nginx")
        mkdir(dir, 0o755)
        mkdir(dir + "/tmp", 0o755)
        let servers = (1...backendServers).map { k in
            """
                server {
                    listen 127.0.0.1:\(8080 + k);
                    location / { return 200 "\(backendServers == 1 ? nodeName : "\(nodeName)-s\(k)")"; }
                }
            """
        }
        let conf = try lab.directory.write("n\(index)-nginx.conf", NginxServer.configText(http: servers.joined(separator: "\n"),
                                                                                            directory: dir, workerConnections: 256, masterProcess: false))
        backend = try lab.start(in: namespace, label: "n\(index)-nginx", "nginx", ["-c", conf])
    }

    /// BIRD on the node: eBGP (AS 65001) to the router, exporting Fulcrum's static protocol only.
    func startBIRD() throws {
        let conf = try lab.directory.write("n\(index)-bird.conf", """
            router id \(lab.nodeAddress(index));
            protocol device { scan time 1; }
            include "\(include)";
            protocol bgp uplink {
                local as 65001;
                neighbor \(lab.routerAddress) as 65000;
                hold time 3; keepalive time 1; connect retry time 1; error wait time 1, 2;
                ipv4 { import none; export where proto = "fulcrum_vips"; };
            }

            """)
        // BIRD refuses to start on an include that does not exist yet.
        if access(include, F_OK) != 0 { _ = try lab.directory.write("n\(index)-vips.conf", "") }
        bird = try lab.start(in: namespace, label: "n\(index)-bird", "bird",
                             ["-f", "-c", conf, "-s", birdSocket, "-P", lab.directory.file("n\(index)-bird.pid")])
    }

    func startFulcrum() throws {
        let path = try lab.directory.write("n\(index)-fulcrum.cfg", fulcrumConfig)
        fulcrum = try lab.start(in: namespace, label: "n\(index)-fulcrum", try FulcrumBinary.path(), ["-f", path, "-S", masterSocket])
    }

    /// Writes the configuration again (after `extraConfig` changed) and reloads (SIGUSR2).
    func reload() throws {
        _ = try lab.directory.write("n\(index)-fulcrum.cfg", fulcrumConfig)
        try fulcrum?.signal(SIGUSR2)
    }

    /// IPv4 addresses on the node's lo (where the lab's VIPs go).
    func loopbackAddresses() -> [String] {
        let out = (try? CommandRunner.run("ip", ["-n", namespace, "-4", "-o", "addr", "show", "dev", "lo"], timeout: 5).stdout) ?? ""
        return out.split(separator: "\n").compactMap { line in
            let w = line.split(separator: " ")
            guard let i = w.firstIndex(of: "inet"), i + 1 < w.count else { return nil }
            return String(w[i + 1].split(separator: "/")[0])
        }
    }

    func masterCommand(_ command: String) -> String { (try? MasterCLI.send(command, socketPath: masterSocket)) ?? "" }

    var log: String { (fulcrum?.stderr ?? "") + (fulcrum?.stdout ?? "") }

    /// The router's BIRD: one eBGP session per node, multipath routes merged into the kernel.
    static func startRouterBIRD(_ lab: BGPLab) throws -> VRRPLabProcess {
        var text = """
            router id \(lab.routerAddress);
            protocol device { scan time 1; }
            protocol kernel { ipv4 { import none; export all; }; merge paths on; }
            template bgp node {
                local as 65000;
                hold time 3; keepalive time 1; connect retry time 1; error wait time 1, 2;
                ipv4 { import all; export none; };
            }

            """
        for i in 1...lab.nodeCount { text += "protocol bgp n\(i) from node { neighbor \(lab.nodeAddress(i)) as 65001; }\n" }
        let conf = try lab.directory.write("router-bird.conf", text)
        return try lab.start(in: lab.routerNamespace, label: "router-bird", "bird",
                             ["-f", "-c", conf, "-s", lab.directory.file("router-bird.ctl"), "-P", lab.directory.file("router-bird.pid")])
    }

    /// The client's flows: one HTTP/1.0 request per new connection (a new
    /// source port each, so the router's L4 hash spreads them), one line per
    /// request: "200 n2", "503 -", or "error ConnectionResetError" (an
    /// answer other than 200 names what its `x-node` header says, if any:
    /// "403 n2"). Stops at
    /// `limit` requests or when `stopFile` exists. The 10 s timeout outlasts a
    /// proxy's retries to a dead server (3 turn-arounds of 1 s, then a 503). The response is read up to
    /// its Content-Length, so a reset after a whole answer is not a failure.
    /// `pause`: seconds between a response and the next connection.
    static func startClient(_ lab: BGPLab, stopFile: String, limit: Int = 20_000, pause: Double = 0.005) throws -> VRRPLabProcess {
        let script = try lab.directory.write("client.py", """
            import os, socket, sys, time
            stop, limit, vip, pause = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
            n = 0
            while n < limit and not os.path.exists(stop):
                n += 1
                s = None
                try:
                    s = socket.create_connection((vip, 80), timeout=10)
                    s.sendall(b"GET / HTTP/1.0\\r\\nHost: vip\\r\\n\\r\\n")
                    data = b""
                    while True:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                        head, sep, body = data.partition(b"\\r\\n\\r\\n")
                        lengths = [l for l in head.split(b"\\r\\n") if l.lower().startswith(b"content-length:")]
                        if sep and lengths and len(body) >= int(lengths[0].split(b":")[1]):
                            break
                    s.close()
                    status = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "none"
                    body = data.partition(b"\\r\\n\\r\\n")[2].decode().strip()
                    node = [l.split(b":", 1)[1].strip().decode() for l in data.partition(b"\\r\\n\\r\\n")[0].split(b"\\r\\n") if l.lower().startswith(b"x-node:")]
                    print(status, body if status == "200" else (node[0] if node else "-"), flush=True)
                except Exception as e:
                    print("error", type(e).__name__, time.time(), s.getsockname() if s else "connect", file=sys.stderr, flush=True)
                    print("error", type(e).__name__, flush=True)
                if pause > 0:
                    time.sleep(pause)

            """)
        return try lab.start(in: lab.clientNamespace, label: "client", "python3", [script, stopFile, String(limit), BGPLab.vip, String(pause)])
    }
}
