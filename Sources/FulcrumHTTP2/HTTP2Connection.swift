/// One HTTP/2 connection's protocol state without I/O (RFC 9113 §5.1
/// stream states, §6.9 flow control, §6.5 SETTINGS negotiation), as a
/// value: decoded frames and the owner's sends go in, actions come out
/// into a caller-owned array. Frame syntax is `HTTP2FrameDecoder`'s job,
/// header blocks `HPACKDecoder`'s; this decides what frames mean for the
/// streams and windows, and which errors end a stream or the connection.
///
/// Streams live in a dictionary only while open or half-closed: an
/// identifier above the highest either side has opened is idle, one below
/// it that is not stored is closed (§5.1.1).
public struct HTTP2Connection: Sendable {
    struct Stream: Sendable {
        var state: HTTP2StreamState
        /// What this end may still send, and what the peer may.
        var send: HTTP2FlowWindow
        var receive: HTTP2FlowWindow
        /// Received bytes passed on but not yet given back by WINDOW_UPDATE.
        var unacknowledged = 0
    }

    /// The connection window's size at the start (§6.9.2: SETTINGS never change it).
    public static let initialConnectionWindow = 65_535
    /// How many ended streams are remembered: frames the peer sent before
    /// it saw this end's reset are then ignored, not errors (§5.1), and a
    /// closed stream's frames get STREAM_CLOSED rather than PROTOCOL_ERROR.
    static let endedMemory = 32

    public let role: HTTP2FrameDecoder.Role
    /// This end's settings the peer has acknowledged, and the peer's.
    public private(set) var localSettings = HTTP2SettingsValues()
    public private(set) var remoteSettings = HTTP2SettingsValues()
    /// Settings sent and awaiting their ACK, oldest first.
    private var pendingLocalSettings: [HTTP2Settings] = []
    public private(set) var connectionSendWindow = HTTP2FlowWindow(initialConnectionWindow)
    public private(set) var connectionReceiveWindow = HTTP2FlowWindow(initialConnectionWindow)
    private var connectionUnacknowledged = 0
    private var streams: [UInt32: Stream] = [:]
    /// The highest stream identifiers the peer and this end have opened.
    public private(set) var highestRemoteStream: UInt32 = 0
    public private(set) var highestLocalStream: UInt32 = 0
    /// Streams that ended lately: reset by this end (`true`) or closed
    /// by END_STREAM both ways.
    private var recentlyEnded = [(id: UInt32, reset: Bool)](repeating: (0, false), count: endedMemory)
    private var endedCursor = 0
    private var sawPeerSettings = false
    /// The header block in progress: its stream, END_STREAM, and whether it is delivered.
    private var openBlock: (streamID: UInt32, endStream: Bool, deliver: Bool)?
    /// The last stream served after this end's GOAWAY.
    public private(set) var goawaySent: UInt32?
    public private(set) var peerGoaway: UInt32?
    /// A connection error ended the connection; nothing more is processed.
    public private(set) var failed = false

    /// `settings` are this end's first SETTINGS, which the owner sends
    /// (after the preface, for a client); they apply once acknowledged.
    public init(role: HTTP2FrameDecoder.Role, settings: HTTP2Settings) {
        self.role = role
        pendingLocalSettings = [settings]
    }

    /// The state of stream `id`; nil when idle or closed.
    public func state(of id: UInt32) -> HTTP2StreamState? { streams[id]?.state }

    /// The open and half-closed streams.
    public var activeStreams: Int { streams.count }

    // MARK: Received frames

    /// Processes one decoded frame.
    public mutating func receive(_ frame: HTTP2Frame, into actions: inout [HTTP2ConnectionAction]) {
        guard !failed else { return }
        if !sawPeerSettings {
            // §3.4: the peer's preface ends with a SETTINGS frame.
            guard case .settings(false, _) = frame else { return fail(.protocolError, &actions) }
            sawPeerSettings = true
        }
        switch frame {
        case .settings(true, _):
            guard !pendingLocalSettings.isEmpty else { return }
            let settings = pendingLocalSettings.removeFirst()
            let next = localSettings.applying(settings)
            let delta = next.initialWindowSize - localSettings.initialWindowSize
            localSettings = next
            for id in streams.keys { _ = streams[id]!.receive.grow(by: delta) }
            actions.append(.localSettingsAcknowledged(settings))
        case .settings(false, let settings):
            receiveSettings(settings, &actions)
        case .headers(let id, _, let endStream, let endHeaders, _, _):
            receiveHeaders(id, endStream: endStream, endHeaders: endHeaders, &actions)
        case .continuation(let id, _, let endHeaders):
            let block = openBlock ?? (id, false, false)
            if endHeaders { openBlock = nil }
            actions.append(.headerFragment(streamID: id, endHeaders: endHeaders, endStream: block.endStream, deliver: block.deliver))
        case .data(let id, _, let endStream, _):
            receiveData(id, length: frame.flowControlledLength, endStream: endStream, &actions)
        case .windowUpdate(let id, let increment):
            receiveWindowUpdate(id, Int(increment), &actions)
        case .rstStream(let id, let code):
            guard !isIdle(id) else { return fail(.protocolError, &actions) }
            streams[id] = nil
            actions.append(.peerReset(streamID: id, code: code))
        case .priority:
            break  // deprecated (§5.3.2); its frame rules are the decoder's
        case .ping(let ack, let opaque):
            actions.append(ack ? .pingAcknowledged(opaque) : .sendPingAck(opaque))
        case .goaway(let last, let code, _):
            peerGoaway = last
            actions.append(.peerGoaway(lastStreamID: last, code: code))
        case .pushPromise(let id, let promised, _, let endHeaders, _):
            receivePushPromise(id, promised: promised, endHeaders: endHeaders, &actions)
        case .unknown:
            break
        }
    }

    /// Processes a frame the decoder refused: a stream error resets that
    /// stream, a connection error ends the connection.
    public mutating func receive(_ error: HTTP2FrameError, into actions: inout [HTTP2ConnectionAction]) {
        guard !failed else { return }
        switch error.scope {
        case .connection: fail(error.code, &actions)
        case .stream(let id): reset(id, error.code, &actions)
        }
    }

    private mutating func receiveSettings(_ settings: HTTP2Settings, _ actions: inout [HTTP2ConnectionAction]) {
        let next = remoteSettings.applying(settings)
        // §6.9.2: a new initial window size moves every stream's send window by the difference.
        let delta = next.initialWindowSize - remoteSettings.initialWindowSize
        for id in streams.keys where !streams[id]!.send.grow(by: delta) {
            return fail(.flowControlError, &actions)
        }
        remoteSettings = next
        actions.append(.sendSettingsAck)
        actions.append(.peerSettings(settings))
        if delta > 0 { for id in streams.keys.sorted() { actions.append(.windowOpened(streamID: id)) } }
    }

    private mutating func receiveHeaders(_ id: UInt32, endStream: Bool, endHeaders: Bool, _ actions: inout [HTTP2ConnectionAction]) {
        var deliver = true
        if var stream = streams[id] {
            if stream.state == .reservedRemote {
                // A pushed response opens the reserved stream, half-closed on this end (§5.1).
                stream.state = endStream ? .closed : .halfClosedLocal
                store(id, stream)
            } else if !stream.state.peerMaySend {
                deliver = false
                reset(id, .streamClosed, &actions)
            } else if !endStream && isRemote(id) {
                // A second block on a peer's stream is a trailer section and must end it (§8.1).
                deliver = false
                reset(id, .protocolError, &actions)
            } else {
                if endStream { stream.state = stream.state.afterRemoteEnd }
                store(id, stream)
            }
        } else if isIdle(id) {
            guard isRemote(id) else { return fail(.protocolError, &actions) }
            highestRemoteStream = id
            if let last = goawaySent, id > last {
                deliver = false  // after GOAWAY no new stream is served; its block is still decoded
            } else if remoteOpenStreams >= localSettings.maxConcurrentStreams {
                deliver = false
                reset(id, .refusedStream, &actions)
            } else {
                streams[id] = Stream(state: endStream ? .halfClosedRemote : .open,
                                     send: HTTP2FlowWindow(remoteSettings.initialWindowSize),
                                     receive: HTTP2FlowWindow(localSettings.initialWindowSize))
            }
        } else if wasReset(id) {
            deliver = false
        } else {
            // Closed after END_STREAM both ways (§5.1), or an identifier
            // below one already opened, so never openable (§5.1.1).
            return fail(wasClosed(id) ? .streamClosed : .protocolError, &actions)
        }
        if !endHeaders { openBlock = (id, endStream, deliver) }
        actions.append(.headerFragment(streamID: id, endHeaders: endHeaders, endStream: endStream, deliver: deliver))
    }

    private mutating func receiveData(_ id: UInt32, length: Int, endStream: Bool, _ actions: inout [HTTP2ConnectionAction]) {
        // The connection window is charged whatever becomes of the stream (§6.9).
        guard connectionReceiveWindow.consume(length) else { return fail(.flowControlError, &actions) }
        guard var stream = streams[id] else {
            if isIdle(id) { return fail(.protocolError, &actions) }
            guard wasReset(id) else { return fail(wasClosed(id) ? .streamClosed : .protocolError, &actions) }
            return consumed(0, length, into: &actions)
        }
        guard stream.state.peerMaySend else {
            reset(id, .streamClosed, &actions)
            return consumed(0, length, into: &actions)
        }
        guard stream.receive.consume(length) else {
            reset(id, .flowControlError, &actions)
            return consumed(0, length, into: &actions)
        }
        if endStream { stream.state = stream.state.afterRemoteEnd }
        store(id, stream)
        actions.append(.data(streamID: id, endStream: endStream))
    }

    private mutating func receiveWindowUpdate(_ id: UInt32, _ increment: Int, _ actions: inout [HTTP2ConnectionAction]) {
        if id == 0 {
            guard connectionSendWindow.grow(by: increment) else { return fail(.flowControlError, &actions) }
            actions.append(.windowOpened(streamID: 0))
        } else if var stream = streams[id] {
            guard stream.send.grow(by: increment) else { return reset(id, .flowControlError, &actions) }
            streams[id] = stream
            actions.append(.windowOpened(streamID: id))
        } else if isIdle(id) {
            fail(.protocolError, &actions)
        }
        // A closed stream's WINDOW_UPDATE is allowed and ignored (§5.1).
    }

    private mutating func receivePushPromise(_ id: UInt32, promised: UInt32, endHeaders: Bool, _ actions: inout [HTTP2ConnectionAction]) {
        // The decoder refuses PUSH_PROMISE at a server; a client that disabled push refuses it here (§6.6).
        guard localSettings.enablePush, promised % 2 == 0, isIdle(promised), streams[id]?.state.peerMaySend == true else {
            return fail(.protocolError, &actions)
        }
        highestRemoteStream = promised
        streams[promised] = Stream(state: .reservedRemote, send: HTTP2FlowWindow(remoteSettings.initialWindowSize),
                                   receive: HTTP2FlowWindow(localSettings.initialWindowSize))
        if !endHeaders { openBlock = (id, false, true) }
        actions.append(.headerFragment(streamID: id, endHeaders: endHeaders, endStream: false, deliver: true))
    }

    // MARK: This end's doings

    /// Sends HEADERS on a stream: a response (server) or a request (client,
    /// opening the stream). False when the stream cannot take them.
    public mutating func sendHeaders(streamID id: UInt32, endStream: Bool) -> Bool {
        guard !failed else { return false }
        if var stream = streams[id] {
            guard stream.state.localMaySend || stream.state == .reservedLocal else { return false }
            if stream.state == .reservedLocal { stream.state = .halfClosedRemote }
            if endStream { stream.state = stream.state.afterLocalEnd }
            store(id, stream)
            return true
        }
        guard !isRemote(id), id > highestLocalStream, peerGoaway.map({ id <= $0 }) ?? true,
              localOpenStreams < remoteSettings.maxConcurrentStreams else { return false }
        highestLocalStream = id
        streams[id] = Stream(state: endStream ? .halfClosedLocal : .open, send: HTTP2FlowWindow(remoteSettings.initialWindowSize),
                             receive: HTTP2FlowWindow(localSettings.initialWindowSize))
        return true
    }

    /// How many DATA bytes stream `id` may send now: both windows' room,
    /// within one frame of the peer's SETTINGS_MAX_FRAME_SIZE.
    public func sendable(streamID id: UInt32) -> Int {
        guard let stream = streams[id], stream.state.localMaySend else { return 0 }
        return Swift.max(0, Swift.min(connectionSendWindow.size, stream.send.size, remoteSettings.maxFrameSize))
    }

    /// Sends `count` DATA bytes (padding included) on stream `id`; false
    /// when the windows or the stream's state do not allow it.
    public mutating func sendData(streamID id: UInt32, count: Int, endStream: Bool) -> Bool {
        guard var stream = streams[id], stream.state.localMaySend, count <= sendable(streamID: id) else { return false }
        _ = connectionSendWindow.consume(count)
        _ = stream.send.consume(count)
        if endStream { stream.state = stream.state.afterLocalEnd }
        store(id, stream)
        return true
    }

    /// The owner passed on `count` bytes of stream `id`'s DATA (as the
    /// frames' `flowControlledLength`): the windows open again by
    /// WINDOW_UPDATE once half of one has been used, so small reads do not
    /// each cost a frame.
    public mutating func consumed(_ id: UInt32, _ count: Int, into actions: inout [HTTP2ConnectionAction]) {
        consumedOnConnection(count, into: &actions)
        consumedOnStream(id, count, into: &actions)
    }

    /// The connection window's half of `consumed`: an owner that buffers
    /// each stream's data opens the connection window on receipt and a
    /// stream's only once that stream's data has moved on, so one slow
    /// stream holds back its own sender, not the others.
    public mutating func consumedOnConnection(_ count: Int, into actions: inout [HTTP2ConnectionAction]) {
        connectionUnacknowledged += count
        if connectionUnacknowledged >= HTTP2Connection.initialConnectionWindow / 2, connectionReceiveWindow.grow(by: connectionUnacknowledged) {
            actions.append(.sendWindowUpdate(streamID: 0, increment: UInt32(connectionUnacknowledged)))
            connectionUnacknowledged = 0
        }
    }

    /// The stream window's half of `consumed`.
    public mutating func consumedOnStream(_ id: UInt32, _ count: Int, into actions: inout [HTTP2ConnectionAction]) {
        guard id != 0, var stream = streams[id] else { return }
        stream.unacknowledged += count
        if stream.state.peerMaySend, stream.unacknowledged >= Swift.max(1, localSettings.initialWindowSize / 2),
           stream.receive.grow(by: stream.unacknowledged) {
            actions.append(.sendWindowUpdate(streamID: id, increment: UInt32(stream.unacknowledged)))
            stream.unacknowledged = 0
        }
        streams[id] = stream
    }

    /// Sends new settings; they apply once the peer acknowledges them.
    public mutating func sendSettings(_ settings: HTTP2Settings) {
        pendingLocalSettings.append(settings)
    }

    /// Resets stream `id` (a stream error of this end's, or a cancel).
    public mutating func resetStream(_ id: UInt32, code: HTTP2ErrorCode, into actions: inout [HTTP2ConnectionAction]) {
        guard !failed else { return }
        reset(id, code, &actions)
    }

    /// Starts a graceful shutdown: streams opened so far are served, no new one.
    public mutating func shutdown(code: HTTP2ErrorCode = .noError, into actions: inout [HTTP2ConnectionAction]) {
        guard !failed, goawaySent == nil else { return }
        goawaySent = highestRemoteStream
        actions.append(.sendGoaway(lastStreamID: highestRemoteStream, code: code))
    }

    // MARK: Helpers

    private mutating func fail(_ code: HTTP2ErrorCode, _ actions: inout [HTTP2ConnectionAction]) {
        failed = true
        actions.append(.sendGoawayAndClose(lastStreamID: highestRemoteStream, code: code))
    }

    private mutating func reset(_ id: UInt32, _ code: HTTP2ErrorCode, _ actions: inout [HTTP2ConnectionAction]) {
        streams[id] = nil
        remember(id, reset: true)
        actions.append(.sendRSTStream(streamID: id, code: code))
    }

    private mutating func store(_ id: UInt32, _ stream: Stream) {
        guard stream.state == .closed else {
            streams[id] = stream
            return
        }
        streams[id] = nil
        remember(id, reset: false)
    }

    private mutating func remember(_ id: UInt32, reset: Bool) {
        recentlyEnded[endedCursor] = (id, reset)
        endedCursor = (endedCursor + 1) % HTTP2Connection.endedMemory
    }

    /// Whether the peer opens stream `id`: clients use odd identifiers,
    /// servers even ones (§5.1.1).
    private func isRemote(_ id: UInt32) -> Bool { (id % 2 == 1) == (role == .server) }

    private func isIdle(_ id: UInt32) -> Bool {
        id > (isRemote(id) ? highestRemoteStream : highestLocalStream) && streams[id] == nil
    }

    private func wasReset(_ id: UInt32) -> Bool { id != 0 && recentlyEnded.contains { $0.id == id && $0.reset } }
    private func wasClosed(_ id: UInt32) -> Bool { id != 0 && recentlyEnded.contains { $0.id == id && !$0.reset } }

    private var remoteOpenStreams: Int { streams.keys.reduce(0) { $0 + (isRemote($1) ? 1 : 0) } }
    private var localOpenStreams: Int { streams.keys.reduce(0) { $0 + (isRemote($1) ? 0 : 1) } }
}
