import FulcrumCore

/// `disable|enable|shutdown frontend`: the master pauses the listening
/// sockets and writes the frontend's state in the shared table; each worker
/// stops or resumes watching its listeners of that frontend. A worker that
/// starts later reads the same state, so it never watches a paused socket.
extension Worker {
    func adminOff(frontend: Int) -> Bool {
        (FrontendAdminState(rawValue: table.frontend(frontend, .adminState).load()) ?? .open) != .open
    }

    /// Follows the table after the master's `frontendStates` order.
    func followFrontendStates() {
        guard !engine.draining else { return }
        for i in listeners.indices {
            let off = adminOff(frontend: listeners[i].frontend)
            guard off != listeners[i].adminOff else { continue }
            listeners[i].adminOff = off
            if off {
                if listeners[i].active {
                    loop.remove(listeners[i].fd)
                    listeners[i].active = false
                } else {
                    pausedListeners -= 1  // it was waiting for room; now it waits for `enable`
                }
            } else {
                // Watched again once there is room, as a listener paused by a limit.
                pausedListeners += 1
                resumeListeners()
            }
        }
    }
}
