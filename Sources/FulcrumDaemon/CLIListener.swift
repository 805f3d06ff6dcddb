import Glibc
import FulcrumConfig
import FulcrumPosix

/// The listening socket of a CLI endpoint (`stats socket`, `-S`), made as
/// its `CLIBindSpec` says: a UNIX socket file with its mode and owner, a TCP
/// socket (`ipv4@`, `ipv6@`: for tools on another host or in another
/// container; no TLS, so bind it where only trusted peers reach it), or an
/// inherited listening socket (`fd@N`, from systemd or a supervisor).
enum CLIListener {
    struct Failure: Error { var message: String }

    /// - defaultMode: the mode of a UNIX socket whose spec gives none.
    static func open(_ spec: CLIBindSpec, name: String, defaultMode: mode_t?) throws(Failure) -> FileDescriptor {
        switch spec.address {
        case .unix(let path):
            let fd: FileDescriptor
            do { fd = try UnixSocket.listen(path: path, mode: spec.mode.map { mode_t($0) } ?? defaultMode) } catch {
                throw Failure(message: "cannot bind UNIX socket \(path) for \(name): \(error)")
            }
            if spec.user != nil || spec.group != nil {
                let (target, err) = Privileges.resolve(user: spec.user, group: spec.group)
                guard let target else { fd.close(); unlink(path); throw Failure(message: "\(name) \(path): \(err ?? "unknown owner")") }
                if chown(path, target.uid ?? uid_t.max, target.gid ?? gid_t.max) != 0 {
                    let e = Errno.current
                    fd.close(); unlink(path)
                    throw Failure(message: "cannot change the owner of \(path) for \(name): \(e)")
                }
            }
            return fd
        case .inet(let host, let port):
            guard let address = SocketAddress.resolve(host: host, port: port) else {
                throw Failure(message: "cannot resolve \(host) for \(name)")
            }
            do { return try Socket.listen(on: address, backlog: 16, reusePort: false) } catch {
                throw Failure(message: "cannot bind \(address) for \(name): \(error)")
            }
        case .inheritedFD(let n):
            let fd = FileDescriptor(n)
            guard Socket.isListeningStream(fd) else {
                throw Failure(message: "\(name) 'fd@\(n)': file descriptor \(n) is not a listening socket")
            }
            try? fd.setNonBlocking()
            try? fd.setCloseOnExec(true)
            return fd
        }
    }
}
