/// One column of a server's row in `show servers state` (format 1), read from
/// a stats socket: the state tests wait on, whichever proxy answers.
enum ServersStateColumn: Int {
    case operational = 5   // srv_op_state: 0 down, 2 running
    case admin = 6         // srv_admin_state: 1 forced maintenance, 8 drain

    /// nil when the socket does not answer or the server has no row.
    func value(socket: String, backend: String, server: String) -> String? {
        let text = (try? MasterCLI.send("show servers state \(backend)", socketPath: socket)) ?? ""
        let row = text.split(separator: "\n").map { $0.split(separator: " ") }.first { $0.count > rawValue && $0[3] == server }
        return row.map { String($0[rawValue]) }
    }
}
