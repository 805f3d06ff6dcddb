/// A fixed number of request/response exchanges run in the calling thread,
/// one at a time: a steady, deterministic load to count a worker's
/// allocations over (each exchange is finished before the next starts, so
/// the count covers exactly `count` of them).
enum BoundedExchanges {
    /// What a response must look like; returns nil when it does, else why not.
    typealias Check = (HTTPTestResponse) -> String?

    /// `count` requests sent round-robin over `clients` (keep-alive
    /// connections that stay open), each answer read whole and checked.
    /// Throws at the first failed exchange.
    static func http(over clients: [TCPClient], count: Int, request: String, check: Check) throws {
        let bytes = Array(request.utf8)
        for i in 0..<count {
            let client = clients[i % clients.count]
            try client.send(bytes)
            guard let response = try client.readHTTPResponse() else {
                throw HarnessError.failed("exchange \(i): no response (connection ended or timed out)")
            }
            if let problem = check(response) {
                throw HarnessError.failed("exchange \(i): \(problem)")
            }
        }
    }

    /// `count` TCP connections one after another: connect, send `request`,
    /// read until the peer closes, close. Each must read something starting
    /// with `expectedPrefix`.
    static func tcp(port: UInt16, count: Int, request: String, expectedPrefix: String) throws {
        for i in 0..<count {
            let client = try TCPClient.connect(port: port, timeout: 3)
            try client.send(request)
            let received = try client.receiveUntilEOF(timeout: 5)
            client.close()
            guard received.end == .eof, received.text.hasPrefix(expectedPrefix) else {
                throw HarnessError.failed("connection \(i): \(received.end), read \(received.text.prefix(80).debugDescription)")
            }
        }
    }
}
