import Glibc
import FulcrumConfig
import FulcrumPosix

/// What the VRRP child calls on a state change of an instance or sync group
/// with `smtp_alert`: starts a short-lived `fulcrum --role smtp-alert`
/// process that talks to the mail server, so the VRRP loop never blocks.
public enum SMTPAlert {
    /// Spawns the sender and returns its pid (the caller reaps it), or nil
    /// when no alert can be sent: no `smtp_server`, no `notification_email`,
    /// an unknown `state`, or the spawn failed (each logged). `state` is
    /// MASTER, BACKUP, FAULT or STOP.
    public static func send(globals: VRRPGlobalDefinitions, name: String, isGroup: Bool, state: String) -> pid_t? {
        guard let request = request(globals: globals, name: name, isGroup: isGroup, state: state) else { return nil }
        do {
            return try ProcessSpawner.spawn(path: ProcessSpawner.selfExecutable,
                                            arguments: ["--role", "smtp-alert", "--"] + request.arguments,
                                            environment: ProcessSpawner.currentEnvironment(), inherited: [])
        } catch {
            Log.alert("cannot start the SMTP alert sender for \(isGroup ? "VRRP Group" : "VRRP Instance") \(name): \(error)")
            return nil
        }
    }

    /// The sender's arguments, with keepalived's defaults: router_id and the
    /// HELO name are the host name, the sender `USER@HOSTNAME`.
    static func request(globals: VRRPGlobalDefinitions, name: String, isGroup: Bool, state: String,
                        hostName: String = localName(), userName: String = currentUserName()) -> SMTPAlertRequest? {
        let what = "\(isGroup ? "VRRP Group" : "VRRP Instance") \(name)"
        guard let server = globals.smtpServer else {
            Log.notice("no SMTP alert for \(what): no smtp_server in global_defs")
            return nil
        }
        guard !globals.notificationEmail.isEmpty else {
            Log.notice("no SMTP alert for \(what): no notification_email in global_defs")
            return nil
        }
        guard let s = SMTPAlertMessage.State(rawValue: state) else {
            Log.alert("no SMTP alert for \(what): unknown state '\(state)'")
            return nil
        }
        return SMTPAlertRequest(host: server.host, port: server.port, timeoutSeconds: max(1, globals.smtpConnectTimeout),
                                helo: hostName, from: globals.notificationEmailFrom ?? "\(userName)@\(hostName)",
                                to: globals.notificationEmail, routerID: globals.routerID ?? hostName,
                                name: name, kind: isGroup ? .group : .instance, state: s)
    }

    /// The host name (keepalived's local name; "localhost" if it has none).
    static func localName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(cString: buffer)
        return name.isEmpty ? "localhost" : name
    }

    static func currentUserName() -> String {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "root" }
        return String(cString: name)
    }
}
