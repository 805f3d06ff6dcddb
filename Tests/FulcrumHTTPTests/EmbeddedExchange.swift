@testable import FulcrumHTTP

/// Drives an `HTTPExchange` with bytes as the stream engine does, without a
/// socket (swift-nio's EmbeddedChannel is the model): what the client sends
/// goes in with `client(_:)`, what the server answers with `server(_:)`, and
/// what would go out to each side is collected in `toServer` / `toClient`.
struct EmbeddedExchange {
    var machine: HTTPExchange
    var fromClient: [UInt8] = []
    var fromServer: [UInt8] = []
    var toServer: [UInt8] = []
    var toClient: [UInt8] = []
    var refused: Int? = nil
    var responseAction: HTTPExchange.ResponseAction? = nil
    var ends: [HTTPExchange.End] = []
    var draining = false

    init(policy: HTTPExchange.Policy = .init()) { machine = HTTPExchange(policy: policy) }

    var toServerText: String { String(decoding: toServer, as: UTF8.self) }
    var toClientText: String { String(decoding: toClient, as: UTF8.self) }

    /// Client bytes: heads are parsed and routed at once (the server is
    /// "connected" as soon as a request is routed), bodies forwarded.
    mutating func client(_ text: String) {
        fromClient += Array(text.utf8)
        while true {
            switch machine.phase {
            case .request:
                guard !fromClient.isEmpty else { return }
                switch HTTPParser.parseRequest(fromClient, limits: HTTPLimits()) {
                case .incomplete: return
                case .invalid(let status, _): refused = status; _ = machine.refuse(status); return
                case .complete(var head, let length):
                    fromClient.removeFirst(length)
                    if case .refuse(let status) = machine.requestHead(&head, draining: draining) { refused = status; return }
                    machine.prepareForServer(&head)
                    machine.serverConnected()
                    head.serialize(into: &toServer)
                }
            case .exchange:
                guard !machine.requestBody.isDone else { return }
                var payload: [UInt8] = []
                let move = fromClient.withUnsafeBytes { machine.forwardRequestBody($0, payload: &payload) }
                guard case .success(let m) = move else { refused = 400; return }
                emit(m, from: &fromClient, into: &toServer, payload: payload, body: machine.requestBody)
                if m.consumed == 0 { return }
            default:
                return
            }
        }
    }

    /// Server bytes: the response head, then its body.
    mutating func server(_ text: String) {
        fromServer += Array(text.utf8)
        while !fromServer.isEmpty && machine.phase == .exchange {
            if !machine.responseStarted {
                switch HTTPParser.parseResponse(fromServer, limits: HTTPLimits()) {
                case .incomplete: return
                case .invalid: responseAction = .refuse(status: 502); return
                case .complete(var head, let length):
                    fromServer.removeFirst(length)
                    let action = machine.responseHead(&head, draining: draining)
                    responseAction = action
                    if case .refuse = action { return }
                    if action != .interim { machine.finishResponseHead(&head) }
                    head.serialize(into: &toClient)
                    if action == .tunnel { toClient += fromServer; fromServer = []; return }
                }
                continue
            }
            var payload: [UInt8] = []
            let move = fromServer.withUnsafeBytes { machine.forwardResponseBody($0, payload: &payload) }
            guard case .success(let m) = move else { responseAction = .refuse(status: 502); return }
            emit(m, from: &fromServer, into: &toClient, payload: payload, body: machine.responseBody)
            finishIfComplete(serverClosed: false)
            if m.consumed == 0 { return }
        }
        finishIfComplete(serverClosed: false)
    }

    /// The server closed its connection. Returns what the machine said.
    mutating func serverCloses() -> Bool {
        let complete = machine.serverClosed()
        if complete { finishIfComplete(serverClosed: true) }
        return complete
    }

    private mutating func finishIfComplete(serverClosed: Bool) {
        guard machine.phase == .exchange, machine.responseComplete else { return }
        ends.append(machine.responseSent(serverClosed: serverClosed))
        // Pipelined requests already received go on.
        if machine.phase == .request && !fromClient.isEmpty { client("") }
    }

    private func emit(_ m: HTTPBodyForwarder.Move, from src: inout [UInt8], into out: inout [UInt8],
                      payload: [UInt8], body: HTTPBodyForwarder) {
        out += src[0..<m.passThrough]
        src.removeFirst(m.consumed)
        if body.framing == .chunked {
            payload.withUnsafeBytes { p in HTTPBodyForwarder.writeChunk(p, last: body.isDone) { out += $0 } }
        }
    }
}
