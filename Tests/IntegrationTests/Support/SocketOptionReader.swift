import Glibc

/// Reads the socket options of a socket another process holds (a proxy's
/// listener, or one side of a connection it proxies): a duplicate of the
/// descriptor is taken with pidfd_getfd(2) (root) and asked with
/// getsockopt(2), so a test sees what the kernel really has, for fulcrum
/// and haproxy alike. Python does the two system calls (no C in the tests).
enum SocketOptionReader {
    /// Which socket: a listener on `localPort`, or an established one
    /// with `localPort` and/or `remotePort` (0: any).
    enum Socket {
        case listener(port: UInt16)
        case established(localPort: UInt16, remotePort: UInt16)
    }

    private static let script = #"""
    import ctypes, os, socket, sys
    pids = [int(p) for p in sys.argv[1].split(",")]
    state, lport, rport = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    wanted = {}
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        for line in open(table).readlines()[1:]:
            f = line.split()
            lp = int(f[1].rsplit(":", 1)[1], 16); rp = int(f[2].rsplit(":", 1)[1], 16)
            if (state == "listen") != (f[3] == "0A") or (state == "est" and f[3] != "01"): continue
            if lport and lp != lport: continue
            if rport and rp != rport: continue
            wanted[f[9]] = v6
    libc = ctypes.CDLL(None, use_errno=True)
    for pid in pids:
        try: entries = os.listdir("/proc/%d/fd" % pid)
        except OSError: continue
        for entry in entries:
            try: target = os.readlink("/proc/%d/fd/%s" % (pid, entry))
            except OSError: continue
            inode = target[8:-1] if target.startswith("socket:[") else None
            if inode not in wanted: continue
            pidfd = os.pidfd_open(pid)
            fd = libc.syscall(438, pidfd, int(entry), 0)
            os.close(pidfd)
            if fd < 0: sys.exit("pidfd_getfd: errno %d" % ctypes.get_errno())
            s = socket.socket(fileno=fd)
            T = socket.IPPROTO_TCP
            out = {"keepalive": s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                   "idle": s.getsockopt(T, 4), "intvl": s.getsockopt(T, 5), "cnt": s.getsockopt(T, 6),
                   "defer": s.getsockopt(T, 9), "mss": s.getsockopt(T, 2), "fastopen": s.getsockopt(T, 23),
                   "quickack": s.getsockopt(T, 12), "fastopen_connect": s.getsockopt(T, 30),
                   "rcvbuf": s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
                   "sndbuf": s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF),
                   "device": s.getsockopt(socket.SOL_SOCKET, 25, 16).rstrip(b"\0").decode()}
            if wanted[inode]: out["v6only"] = s.getsockopt(socket.IPPROTO_IPV6, 26)
            s.close()
            print(" ".join("%s=%s" % kv for kv in sorted(out.items())))
            sys.exit(0)
    sys.exit("no such socket held by %s" % pids)
    """#

    /// The options of `socket` as held by one of `pids`, as "name=value"
    /// pairs: keepalive, idle, intvl, cnt (TCP keep-alive), defer
    /// (TCP_DEFER_ACCEPT), mss, fastopen, quickack, device (SO_BINDTODEVICE), v6only.
    static func read(_ socket: Socket, heldBy pids: [pid_t]) throws -> [String: String] {
        let (state, local, remote): (String, UInt16, UInt16)
        switch socket {
        case .listener(let port): (state, local, remote) = ("listen", port, 0)
        case .established(let l, let r): (state, local, remote) = ("est", l, r)
        }
        let result = try CommandRunner.run("python3", ["-c", script, pids.map(String.init).joined(separator: ","),
                                                       state, "\(local)", "\(remote)"], timeout: 10)
        guard result.succeeded else { throw HarnessError.failed("socket options of \(socket): \(result.output)") }
        var options: [String: String] = [:]
        for pair in result.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 { options[String(parts[0])] = String(parts[1]) }
        }
        return options
    }
}
