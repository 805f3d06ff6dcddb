import Glibc
import FulcrumPosix

/// `fulcrum --role program [--user U] [--group G] -- CMD ARGS...`: the process
/// a `program` section runs in. It drops privileges and then replaces itself
/// with the command (execvp), so the master never runs Swift code between
/// fork and exec and the command is not wrapped in a shell.
enum ProgramRole {
    static func run(_ o: CommandLineOptions) -> Int32 {
        Log.role = "program"
        // The command dies with the master (the death signal survives execve).
        Processes.dieWithParent(signal: SIGTERM)
        guard let command = o.programCommand.first else {
            Log.alert("program role without a command")
            return 1
        }
        if o.programUser != nil || o.programGroup != nil {
            let (target, err) = Privileges.resolve(user: o.programUser, group: o.programGroup)
            guard let target else { Log.alert(err ?? "cannot resolve user/group"); return 1 }
            if let failure = Privileges.apply(chrootPath: nil, target: target) {
                Log.alert("cannot drop privileges for '\(command)': \(failure)")
                return 1
            }
        }
        // -D: the command must not hold the caller's terminal or pipe either.
        if o.detachStdio { StandardStreams.detach() }
        let argv = o.programCommand.map { strdup($0) } + [nil]
        execvp(command, argv)
        Log.alert("cannot execute '\(command)': \(Errno.current)")
        return 127
    }
}
