import Foundation
import Glibc

/// A background thread opening one short connection after another to a port
/// (connect, one exchange, close) until stopped, counting the ones that
/// worked and describing the ones that did not: "no connection was lost
/// while the daemon did X". Bounded in count and time.
final class ConnectionLoop {
    /// One exchange on a fresh connection; returns nil when it worked, else
    /// what went wrong.
    typealias Exchange = (TCPClient) throws -> String?

    private let lock = NSLock()
    private var stopRequested = false
    private var finished = false
    private var succeeded = 0
    private var failures: [String] = []

    /// Starts the loop on `port`; `pause` seconds between connections.
    init(port: UInt16, pause: Double = 0.005, maxConnections: Int = 50_000, maxSeconds: Double = 120,
         exchange: @escaping Exchange) {
        let thread = Thread { [self] in
            let deadline = Deadline(seconds: maxSeconds)
            var n = 0
            while n < maxConnections && !deadline.hasExpired && !locked({ stopRequested }) {
                n += 1
                var problem: String?
                do {
                    let client = try TCPClient.connect(port: port, timeout: 3)
                    problem = try exchange(client)
                    client.close()
                } catch {
                    problem = "\(error)"
                }
                locked {
                    if let problem { failures.append("connection \(n): \(problem)") } else { succeeded += 1 }
                }
                if pause > 0 { sleepSeconds(pause) }
            }
            locked { finished = true }
        }
        thread.name = "ConnectionLoop:\(port)"
        thread.start()
    }

    /// Connections that worked so far.
    var successCount: Int { locked { succeeded } }

    /// Stops the loop, waits for its last connection, and returns the counts.
    func stop() -> (succeeded: Int, failures: [String]) {
        locked { stopRequested = true }
        if !waitUntil(timeout: 15, interval: 0.01, { self.locked { self.finished } }) {
            return (successCount, ["the loop did not stop within 15 s"])
        }
        return locked { (succeeded, failures) }
    }

    deinit { locked { stopRequested = true } }

    /// An exchange for an `.identify(name)` backend: the greeting line.
    static func expectLine(_ line: String) -> Exchange {
        { client in
            let got = try client.readLine(timeout: 3)
            return got == line ? nil : "read \(got.map { "\"\($0)\"" } ?? "nothing (closed or timed out)")"
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
