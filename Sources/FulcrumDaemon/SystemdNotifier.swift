import Glibc
import FulcrumPosix

/// sd_notify(3) spoken natively: datagrams to $NOTIFY_SOCKET, only with -Ws.
struct SystemdNotifier {
    let path: String?

    init(enabled: Bool) {
        if enabled, let p = getenv("NOTIFY_SOCKET") { path = String(cString: p) } else { path = nil }
    }

    func send(_ text: String) {
        guard let path else { return }
        if !UnixSocket.sendDatagram(to: path, text) {
            Log.warning("sd_notify to \(path) failed: \(Errno.current)")
        }
    }
    func ready(status: String) { send("READY=1\nSTATUS=\(status)\nMAINPID=\(getpid())") }
    func status(_ s: String) { send("STATUS=\(s)") }
    func stopping() { send("STOPPING=1") }
}
