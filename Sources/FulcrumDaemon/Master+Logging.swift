import FulcrumPosix
import FulcrumProxy

/// The master's own log lines: what the runtime API changes (servers put in
/// maintenance, drained, forced up or down) goes to the changed backend's
/// `log` targets, as HAProxy logs it, through sockets the master owns.
extension Master {
    /// Makes `g`'s targets the master's: the previous generation's sockets
    /// are closed and its runtime stops reporting.
    func installEventLog(for g: Generation, replacing previous: Generation? = nil) {
        previous?.runtime.events = nil
        eventLog?.senders.close()
        let c = g.loaded.configuration
        let output = LogOutput(loop: loop, kind: Kind.log.rawValue, global: c.global)
        eventLogTargets = c.backends.map { output.destinations(for: $0.logging.targets, tag: $0.logging.tag) }
        eventLog = output
        g.runtime.events = { [unowned self] line, level, backend in
            guard backend < self.eventLogTargets.count else { return }
            self.eventLog?.send(line, level: level, to: self.eventLogTargets[backend])
        }
    }
}
