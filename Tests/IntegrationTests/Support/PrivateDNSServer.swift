import Glibc
import XCTest

/// A private dnsmasq (Debian's dnsmasq-base) on 127.0.0.1 and a port the
/// test chose, answering from a hosts file the test rewrites (`setHosts`:
/// the file, then SIGHUP, which makes dnsmasq read it again) and for
/// `--local=/test/`: any other name under `.test` is NXDOMAIN. `srv` lines
/// become static SRV records; `extra` lines go to its configuration as
/// they are (`address=/name/IP`: a record it answers but never adds to an
/// SRV answer's additional section).
final class PrivateDNSServer {
    let port: UInt16
    let directory: TemporaryDirectory
    private let process: ChildProcess

    init(_ test: XCTestCase, hosts: [(String, String)], srv: [String] = [], extra: [String] = []) throws {
        let dnsmasq = try requireTool("/usr/sbin/dnsmasq")
        directory = try TemporaryDirectory(prefix: "dns")
        port = try FreePort.next()
        try PrivateDNSServer.writeHosts(hosts, in: directory)
        _ = try directory.write("dnsmasq.conf", srv.map { "srv-host=\($0)\n" }.joined()
                                + extra.map { $0 + "\n" }.joined() + "local=/test/\n")
        process = try ChildProcess(executable: dnsmasq, arguments: [
            "--keep-in-foreground", "--no-resolv", "--no-hosts", "--addn-hosts=\(directory.file("hosts"))",
            "--listen-address=127.0.0.1", "--port=\(port)", "--bind-interfaces", "--pid-file=", "--user=root",
            "--local-ttl=0", "-C", directory.file("dnsmasq.conf"), "--log-queries", "--log-facility=\(directory.file("log"))",
        ], environment: [:], stdoutPath: directory.file("stdout"), stderrPath: directory.file("stderr"))
        let process = self.process, directory = self.directory
        test.addTeardownBlock { process.terminateTree(grace: 2); directory.remove() }
        // Ready once it answers: its log says so after reading the hosts file.
        guard waitUntil(timeout: 5, { ((try? String(contentsOfFile: directory.file("log"), encoding: .utf8)) ?? "").contains("read ") }) else {
            throw HarnessError.failed("dnsmasq did not start: \((try? String(contentsOfFile: directory.file("stderr"), encoding: .utf8)) ?? "")")
        }
    }

    private static func writeHosts(_ hosts: [(String, String)], in directory: TemporaryDirectory) throws {
        _ = try directory.write("hosts", hosts.map { "\($0.0) \($0.1)\n" }.joined())
    }

    /// How many times dnsmasq said it read the hosts file.
    private var reads: Int {
        ((try? String(contentsOfFile: directory.file("log"), encoding: .utf8)) ?? "").components(separatedBy: "read \(directory.file("hosts"))").count - 1
    }

    /// Replaces every record and waits until dnsmasq has read them.
    func setHosts(_ hosts: [(String, String)]) throws {
        let before = reads
        try PrivateDNSServer.writeHosts(hosts, in: directory)
        try process.signal(SIGHUP)
        guard waitUntil(timeout: 5, { reads > before }) else { throw HarnessError.failed("dnsmasq did not reread its hosts") }
    }
}

/// A TCP server on one loopback address (127.0.0.N) that writes its name and
/// a newline to every connection, then closes: which server a proxy chose,
/// and an address that moves when DNS moves it.
final class AddressedBanner {
    let address: String
    let port: UInt16
    private let fd: Int32
    private let thread: Thread
    private let stopped = NSLock()
    private var stopping = false

    init(address: String, port: UInt16, name: String) throws {
        self.address = address
        self.port = port
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.posix("socket") }
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &sa.sin_addr)
        let rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0, listen(fd, 128) == 0 else { close(fd); throw HarnessError.posix("bind \(address):\(port)") }
        let listener = fd
        let line = Array((name + "\n").utf8)
        thread = Thread {
            while true {
                let c = accept(listener, nil, nil)
                if c < 0 { return }   // closed by stop()
                _ = line.withUnsafeBytes { write(c, $0.baseAddress, $0.count) }
                close(c)
            }
        }
        thread.start()
    }

    func stop() {
        stopped.lock(); defer { stopped.unlock() }
        guard !stopping else { return }
        stopping = true
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    deinit { stop() }
}
