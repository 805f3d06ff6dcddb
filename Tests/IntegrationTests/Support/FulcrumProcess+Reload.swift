import Glibc

/// Reload helpers: the master CLI's `reload` and "only the current
/// generation is left".
extension FulcrumProcess {
    /// `reload` on the master CLI ({dir}/master.sock): the master answers when
    /// the new generation serves ("Success=1") or the reload failed
    /// ("Success=0\n--\n" and the errors).
    func reloadViaMasterCLI(timeout: Double = 30) throws -> String {
        try masterCommand("reload", timeout: timeout)
    }

    /// Waits until the master has exactly `workers` worker processes and
    /// `checkers` checkers, i.e. every old generation is gone; true if so in time.
    @discardableResult
    func waitUntilSettled(workers: Int, checkers: Int = 0, timeout: Double = 10) -> Bool {
        waitUntil(timeout: timeout, interval: 0.02) {
            childPids(role: "worker").count == workers && childPids(role: "checker").count == checkers
        }
    }

    /// Open descriptors of the master process (nil once it is gone).
    var masterDescriptorCount: Int? { ProcessTree.openDescriptorCount(of: pid) }
}
