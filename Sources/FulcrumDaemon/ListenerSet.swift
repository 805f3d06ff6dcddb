import Glibc
import FulcrumConfig
import FulcrumPosix
import FulcrumProxy

/// The master's listening sockets: one SO_REUSEPORT socket per (bind address,
/// worker slot), so each worker has its own accept queue, plus inherited
/// `fd@N` sockets that every slot shares. The master keeps them all open for
/// the life of the bind, so a worker's death never closes an accept queue.
final class ListenerSet {
    struct Entry { var fd: FileDescriptor; var frontend: Int; var bind: Int }
    /// Per slot, the sockets that slot's worker gets (in this order).
    private(set) var perSlot: [[Entry]] = []
    private var owned: [FileDescriptor] = []
    private var inherited = 0

    /// Opens every socket; on failure returns HAProxy-shaped alerts and opens nothing.
    init(_ loaded: LoadedConfiguration, slots: Int) throws(ListenerError) {
        perSlot = Array(repeating: [], count: slots)
        var errors: [String] = []
        let c = loaded.configuration
        for (fi, f) in c.frontends.enumerated() {
            for (bi, bind) in f.binds.enumerated() {
                let backlog = Int32(clamping: bind.backlog ?? f.maxconn ?? 4096)
                for (ai, a) in bind.addresses.enumerated() {
                    switch a {
                    case .inheritedFD(let n):
                        let fd = FileDescriptor(n)
                        try? fd.setNonBlocking()
                        try? fd.setCloseOnExec(true)
                        for slot in 0..<slots { perSlot[slot].append(Entry(fd: fd, frontend: fi, bind: bi)) }
                        inherited += 1
                    case .inet:
                        guard let address = loaded.bindAddresses[fi][bi][ai] else { continue }
                        for slot in 0..<slots {
                            do {
                                let fd = try Socket.listen(on: address, backlog: backlog)
                                owned.append(fd)
                                perSlot[slot].append(Entry(fd: fd, frontend: fi, bind: bi))
                            } catch {
                                errors.append("Starting frontend \(f.name): cannot bind socket (\(error)) [\(address)]")
                                break
                            }
                        }
                    }
                }
            }
        }
        if !errors.isEmpty {
            closeAll()
            throw ListenerError(messages: errors)
        }
    }

    func closeAll() {
        for fd in owned { fd.close() }
        owned.removeAll()
        perSlot = perSlot.map { _ in [] }
    }

    /// Sockets opened here plus inherited `fd@N` ones.
    var count: Int { owned.count + inherited }
}

struct ListenerError: Error { var messages: [String] }
