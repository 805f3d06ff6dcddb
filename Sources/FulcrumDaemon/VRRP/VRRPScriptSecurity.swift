import Glibc
import FulcrumConfig

/// keepalived's rules for who runs scripts and which scripts may run.
/// - With no `script_user`, scripts run as `keepalived_script` when that user
///   exists, else as root (with keepalived's warning).
/// - With `enable_script_security`, a script run as root whose file or any
///   directory above it can be written by someone other than root is
///   insecure and is not run (keepalived disables it); without it, running
///   scripts as root is allowed with keepalived's "SECURITY VIOLATION" warning.
enum VRRPScriptSecurity {
    /// The user and group scripts run as when the script names none.
    static func defaultUser(_ globals: VRRPGlobalDefinitions) -> (user: String?, group: String?) {
        if let u = globals.scriptUser { return (u, globals.scriptGroup) }
        if getpwnam("keepalived_script") != nil { return ("keepalived_script", nil) }
        return (nil, nil)
    }

    /// Why `arguments` may not run as `user` under script security, or nil.
    static func insecurity(of arguments: [String], user: String?) -> String? {
        guard let program = arguments.first else { return "empty command" }
        if let user, let pw = getpwnam(user), pw.pointee.pw_uid != 0 { return nil } // not run as root
        guard let path = resolve(program) else { return "\(program) not found" }
        var current = path
        while true {
            var st = stat()
            guard stat(current, &st) == 0 else { return "cannot stat \(current)" }
            if st.st_uid != 0 { return "\(current) is not owned by root" }
            if st.st_mode & (S_IWGRP | S_IWOTH) != 0 { return "\(current) is writable by non-root users" }
            if current == "/" { return nil }
            current = parent(of: current)
        }
    }

    /// An absolute path as is; a bare name through PATH, as execvp finds it.
    private static func resolve(_ program: String) -> String? {
        if program.hasPrefix("/") { return program }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = dir + "/" + program
            if access(candidate, X_OK) == 0 { return candidate.hasPrefix("/") ? candidate : nil }
        }
        return nil
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
