import Glibc
import FulcrumPosix

/// `-sf PID...` / `-st PID...`: HAProxy's legacy reload. Once this instance
/// serves, the old ones are told to finish their connections and exit
/// (SIGUSR1) or to exit now (SIGTERM). A pid that is gone is said, not fatal.
enum OldInstances {
    static func stop(soft: [pid_t], hard: [pid_t]) {
        for (pids, sig) in [(soft, SIGUSR1), (hard, SIGTERM)] {
            for pid in pids where Glibc.kill(pid, sig) != 0 {
                Log.warning("cannot send \(SignalChannel.name(sig)) to old process \(pid): \(Errno.current)")
            }
        }
    }
}
