/// Many keep-alive client connections, each after one request and its whole
/// answer, then held open and idle: what a proxy keeps per idle connection.
final class HeldConnections {
    private var clients: [TCPClient] = []

    /// Opens `count` connections to 127.0.0.1:`port` one by one; each sends
    /// `request` and must read a 200. Throws at the first that fails.
    /// `sources`: loopback addresses the connections come from in turn, each
    /// with its own ephemeral ports (empty: the kernel's choice, one
    /// address, so at most one ephemeral range of connections).
    init(port: UInt16, count: Int, request: String, sources: [String] = []) throws {
        clients.reserveCapacity(count)
        for i in 0..<count {
            let client = sources.isEmpty ? try TCPClient.connect(port: port, timeout: 5)
                : TCPClient(descriptor: try SourceBoundClient.connect(from: sources[i % sources.count], port: port, timeout: 5))
            try client.send(request)
            guard let response = try client.readHTTPResponse(), response.status == 200 else {
                close()
                throw HarnessError.failed("connection \(i) of \(count): no 200 answer")
            }
            clients.append(client)
        }
    }

    var count: Int { clients.count }

    /// Closes every connection (FIN).
    func close() {
        for client in clients { client.close() }
        clients.removeAll()
    }

    deinit { close() }
}
