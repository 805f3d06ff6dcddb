import Glibc
import CFulcrum

/// chroot and dropping to an unprivileged user, done by workers after their
/// sockets are open (they arrive already bound, so no privilege is needed).
public enum Privileges {
    public struct Target { public var uid: uid_t?; public var gid: gid_t? }

    /// Looks up names (before chroot, while /etc is reachable).
    public static func resolve(user: String?, group: String?) -> (target: Target?, error: String?) {
        var t = Target(uid: nil, gid: nil)
        if let user {
            if let pw = getpwnam(user) {
                t.uid = pw.pointee.pw_uid
                if group == nil { t.gid = pw.pointee.pw_gid }
            } else if let n = UInt32(user) { t.uid = n } else { return (nil, "unknown user '\(user)'") }
        }
        if let group {
            if let gr = getgrnam(group) { t.gid = gr.pointee.gr_gid }
            else if let n = UInt32(group) { t.gid = n } else { return (nil, "unknown group '\(group)'") }
        }
        return (t, nil)
    }

    /// `set-dumpable`: core files and /proc entries owned by the process's
    /// own user again after a change of identity.
    public static func makeDumpable() {
        _ = cf_set_dumpable()
    }

    public static func apply(chrootPath: String?, target: Target) -> String? {
        if let path = chrootPath {
            if chroot(path) != 0 { return "chroot(\(path)): \(Errno.current)" }
            if chdir("/") != 0 { return "chdir(/): \(Errno.current)" }
        }
        if let gid = target.gid {
            var g = gid
            if setgroups(1, &g) != 0 && getuid() == 0 { return "setgroups: \(Errno.current)" }
            if setgid(gid) != 0 { return "setgid(\(gid)): \(Errno.current)" }
        }
        if let uid = target.uid, setuid(uid) != 0 { return "setuid(\(uid)): \(Errno.current)" }
        return nil
    }
}
