import FulcrumBytes

/// What each `%variable` writes (HAProxy 2.6's sess_build_logline, case by
/// case): numbers bare, names through the text rules (quotes, "-"), request
/// line parts and captures encoded, dates in HAProxy's shapes.
extension LogLineFormat {
    static let noServer: [UInt8] = Array("<NOSRV>".utf8)
    static let badRequest: [UInt8] = Array("<BADREQ>".utf8)
    static let http09: [UInt8] = Array("HTTP/0.9".utf8)
    static let unixText: [UInt8] = Array("unix".utf8)

    /// Appends `variable`; returns false when it wrote nothing because what
    /// it shows does not exist here (captures with none declared).
    static func appendVariable<S: LogByteSink>(_ variable: LogVariable, flags: LogFlags, record r: LogRecord, dates: inout LogDateCache,
                               to out: inout S) -> Bool {
        let quoted = flags.contains(.quote)
        let hex = flags.contains(.hexadecimal)
        switch variable {
        // Endpoints.
        case .clientIP: appendAddress(r.client, flags: flags, to: &out)
        case .clientPort: appendPort(r.client, flags: flags, to: &out)
        case .frontendIP: appendAddress(r.frontendAddress, flags: flags, to: &out)
        case .frontendPort: appendPort(r.frontendAddress, flags: flags, to: &out)
        case .backendSourceIP: appendAddress(r.backendSource, flags: flags, to: &out)
        case .backendSourcePort: appendPort(r.backendSource, flags: flags, to: &out)
        case .serverIP: appendAddress(r.server, flags: flags, to: &out)
        case .serverPort: appendPort(r.server, flags: flags, to: &out)

        // Names.
        case .frontendName: LogEncoding.appendText(r.frontendName, flags: flags, to: &out)
        case .frontendNameTransport:
            if quoted { out.put(ASCIIByte.quote) }
            out.put(r.frontendName)
            if r.frontendIsTLS { out.put(ASCIIByte.tilde) }
            if quoted { out.put(ASCIIByte.quote) }
        case .backendName: LogEncoding.appendText(r.backendName, flags: flags, to: &out)
        case .serverName:
            if let name = r.serverName {
                LogEncoding.appendText(name, flags: flags, to: &out)
            } else {
                LogEncoding.appendText(noServer[...], flags: flags, to: &out)
            }
        case .hostname: LogEncoding.appendText(r.hostname, flags: flags, to: &out)
        case .uniqueID: LogEncoding.appendText(r.uniqueID, flags: flags, to: &out)
        case .capturedRequestCookie: LogEncoding.appendText(r.capturedRequestCookie, flags: flags, to: &out)
        case .capturedResponseCookie: LogEncoding.appendText(r.capturedResponseCookie, flags: flags, to: &out)
        case .sslCipher: LogEncoding.appendText(r.sslCipher, flags: flags, to: &out)
        case .sslVersion: LogEncoding.appendText(r.sslVersion, flags: flags, to: &out)

        // Dates.
        case .date:
            LogDate.appendWithMilliseconds(micros: r.acceptDateMicros, utcOffset: r.utcOffsetSeconds, dates: &dates, to: &out)
        case .requestDate:
            LogDate.appendWithMilliseconds(micros: r.requestDateMicros, utcOffset: r.utcOffsetSeconds, dates: &dates, to: &out)
        case .gmtDate: LogDate.appendWithZone(micros: r.acceptDateMicros, utcOffset: 0, dates: &dates, to: &out)
        case .requestGMTDate: LogDate.appendWithZone(micros: r.requestDateMicros, utcOffset: 0, dates: &dates, to: &out)
        case .localDate: LogDate.appendWithZone(micros: r.acceptDateMicros, utcOffset: r.utcOffsetSeconds, dates: &dates, to: &out)
        case .requestLocalDate: LogDate.appendWithZone(micros: r.requestDateMicros, utcOffset: r.utcOffsetSeconds, dates: &dates, to: &out)
        case .timestamp:
            let seconds = LogDate.split(r.acceptDateMicros).0
            if hex { LogNumber.appendHex(UInt32(truncatingIfNeeded: seconds), minimumWidth: 4, to: &out) } else { LogNumber.appendDecimal(seconds, to: &out) }
        case .milliseconds:
            let ms = Int(LogDate.split(r.acceptDateMicros).1 / 1000)
            if hex { LogNumber.appendHex(UInt32(ms), minimumWidth: 2, to: &out) } else { LogDate.appendPadded(ms, width: 3, to: &out) }

        // Timers.
        case .handshakeTime: appendInt(r.handshakeMs, to: &out)
        case .idleTime: appendInt(r.idleMs, to: &out)
        case .requestTime: appendInt(r.timeToRequest, to: &out)
        case .requestTimeTotal: appendInt(r.timeToRequestTotal, to: &out)
        case .queueTime: appendInt(r.timeInQueue, to: &out)
        case .connectTime: appendInt(r.timeToConnect, to: &out)
        case .responseTime: appendInt(r.timeToResponse, to: &out)
        case .dataTime: appendInt(r.timeOfData, to: &out)
        case .activeTime:
            if r.logAsap { out.put(ASCIIByte.plus) }
            appendInt(r.activeTime, to: &out)
        case .totalTime:
            if r.logAsap { out.put(ASCIIByte.plus) }
            appendInt(r.totalMs, to: &out)
        case .userTime:
            if r.logAsap { out.put(ASCIIByte.plus) }
            appendInt(r.userTime, to: &out)

        // Counters.
        case .statusCode: appendInt(r.status, to: &out)
        case .bytesRead:
            if r.logAsap { out.put(ASCIIByte.plus) }
            LogNumber.appendDecimal(r.bytesOut, to: &out)
        case .bytesUploaded: LogNumber.appendDecimal(r.bytesIn, to: &out)
        case .activeConnections: appendInt(r.activeConnections, to: &out)
        case .frontendConnections: appendInt(r.frontendConnections, to: &out)
        case .backendConnections: appendInt(r.backendConnections, to: &out)
        case .serverConnections: appendInt(r.serverConnections, to: &out)
        case .retries:
            if r.redispatched { out.put(ASCIIByte.plus) }
            appendInt(r.retries, to: &out)
        case .serverQueue: appendInt(r.serverQueue, to: &out)
        case .backendQueue: appendInt(r.backendQueue, to: &out)
        case .pid: appendCounter(r.pid, hex: hex, to: &out)
        case .requestCounter: appendCounter(r.requestCounter, hex: hex, to: &out)
        case .logCounter: appendCounter(r.logCounter, hex: hex, to: &out)

        // Termination state.
        case .terminationState:
            out.put(r.termination.cause.rawValue)
            out.put(r.termination.phase.rawValue)
        case .terminationStateCookie:
            out.put(r.termination.cause.rawValue)
            out.put(r.termination.phase.rawValue)
            out.put(r.termination.clientCookie?.rawValue ?? ASCIIByte.minus)
            out.put(r.termination.serverCookie?.rawValue ?? ASCIIByte.minus)

        // Captures.
        case .requestHeaders: return appendCaptureBlock(r.requestCaptures, flags: flags, to: &out)
        case .responseHeaders: return appendCaptureBlock(r.responseCaptures, flags: flags, to: &out)
        case .requestHeaderList: return appendCaptureList(r.requestCaptures, flags: flags, to: &out)
        case .responseHeaderList: return appendCaptureList(r.responseCaptures, flags: flags, to: &out)

        // The request line and its parts.
        case .requestLine, .httpMethod, .httpURI, .httpPath, .httpPathOnly, .httpQuery, .httpVersion:
            if quoted { out.put(ASCIIByte.quote) }
            let part = LogRequestLine.part(variable, of: r.requestLine.map { $0.prefix(LogRecord.requestLineLimit) })
            LogEncoding.appendEncoded(part, map: .url, flags: flags, to: &out)
            if quoted { out.put(ASCIIByte.quote) }
        }
        return true
    }

    @inline(__always)
    static func appendInt<S: LogByteSink>(_ value: Int, to out: inout S) { LogNumber.appendDecimal(Int64(value), to: &out) }

    static func appendCounter<S: LogByteSink>(_ value: Int, hex: Bool, to out: inout S) {
        if hex { LogNumber.appendHex(UInt32(truncatingIfNeeded: value), minimumWidth: 4, to: &out) } else { appendInt(value, to: &out) }
    }

    /// `%ci`: the address's text (a text value: quotes, "-" when unknown) or
    /// its bytes in hexadecimal with `X`.
    static func appendAddress<S: LogByteSink>(_ endpoint: LogEndpoint, flags: LogFlags, to out: inout S) {
        switch endpoint {
        case .none:
            LogEncoding.appendText(nil, flags: flags, to: &out)
        case .unix:
            if !flags.contains(.hexadecimal) { LogEncoding.appendText(unixText[...], flags: flags, to: &out) }
        case .ip(let address, _):
            if flags.contains(.hexadecimal) {
                switch address {
                case .v4(let a):
                    for shift in stride(from: 24, through: 0, by: -8) {
                        LogNumber.appendHexByte(UInt8(truncatingIfNeeded: a.value >> UInt32(shift)), to: &out)
                    }
                case .v6(let a):
                    for i in 0..<8 {
                        let word = a.word(i)
                        LogNumber.appendHexByte(UInt8(truncatingIfNeeded: word >> 8), to: &out)
                        LogNumber.appendHexByte(UInt8(truncatingIfNeeded: word), to: &out)
                    }
                }
            } else {
                let quoted = flags.contains(.quote)
                if quoted { out.put(ASCIIByte.quote) }
                address.withText { out.put($0) }
                if quoted { out.put(ASCIIByte.quote) }
            }
        }
    }

    /// `%cp`: the port in decimal (never quoted), `%04X` with `X`, the
    /// listener's id for a unix socket, "-" when unknown.
    static func appendPort<S: LogByteSink>(_ endpoint: LogEndpoint, flags: LogFlags, to out: inout S) {
        switch endpoint {
        case .none: LogEncoding.appendText(nil, flags: flags, to: &out)
        case .unix(let id): appendInt(id, to: &out)
        case .ip(_, let port):
            if flags.contains(.hexadecimal) { LogNumber.appendHex(UInt32(port & 0xFFFF), minimumWidth: 4, to: &out) } else { appendInt(port, to: &out) }
        }
    }

    /// `%hr`: `{a|b}` (quoted as a whole with `Q`); nothing when there are no captures.
    static func appendCaptureBlock<S: LogByteSink>(_ captures: [ArraySlice<UInt8>?], flags: LogFlags, to out: inout S) -> Bool {
        guard !captures.isEmpty else { return false }
        let quoted = flags.contains(.quote)
        if quoted { out.put(ASCIIByte.quote) }
        out.put(ASCIIByte.openBrace)
        for i in captures.indices {
            if i > 0 { out.put(ASCIIByte.pipe) }
            if let value = captures[i] { LogEncoding.appendEncoded(value, map: .header, flags: flags, to: &out) }
        }
        out.put(ASCIIByte.closeBrace)
        if quoted { out.put(ASCIIByte.quote) }
        return true
    }

    /// `%hrl`: the captures separated by spaces, each quoted with `Q`, "-"
    /// for an absent one when not quoted.
    static func appendCaptureList<S: LogByteSink>(_ captures: [ArraySlice<UInt8>?], flags: LogFlags, to out: inout S) -> Bool {
        guard !captures.isEmpty else { return false }
        let quoted = flags.contains(.quote)
        for i in captures.indices {
            if i > 0 { out.put(ASCIIByte.space) }
            if quoted { out.put(ASCIIByte.quote) }
            if let value = captures[i] {
                LogEncoding.appendEncoded(value, map: .header, flags: flags, to: &out)
            } else if !quoted {
                out.put(ASCIIByte.minus)
            }
            if quoted { out.put(ASCIIByte.quote) }
        }
        return true
    }

    static let connectFrom: [UInt8] = Array("Connect from ".utf8)
    static let connectTo: [UInt8] = Array(" to ".utf8)
    static let connectToUnix: [UInt8] = Array("Connect to unix:".utf8)
    static let undetermined: [UInt8] = Array("undetermined address".utf8)
    static let modeHTTP: [UInt8] = Array("HTTP".utf8)
    static let modeTCP: [UInt8] = Array("TCP".utf8)

    /// The legacy line (frontend_accept): "Connect from 10.0.1.2:33312 to
    /// 10.0.3.31:8012 (www/HTTP)", or "Connect to unix:1 (www/TCP)".
    static func appendLegacyConnect<S: LogByteSink>(_ r: LogRecord, to out: inout S) {
        switch r.client {
        case .unix(let id):
            out.put(connectToUnix)
            appendInt(id, to: &out)
        case .ip(let address, let port):
            out.put(connectFrom)
            address.withText { out.put($0) }
            out.put(ASCIIByte.colon)
            appendInt(port, to: &out)
            out.put(connectTo)
            if case .ip(let local, let localPort) = r.frontendAddress {
                local.withText { out.put($0) }
                out.put(ASCIIByte.colon)
                appendInt(localPort, to: &out)
            } else {
                out.put(undetermined)
                out.put(ASCIIByte.colon)
                out.put(0x30)
            }
        case .none:
            return
        }
        out.put(ASCIIByte.space)
        out.put(ASCIIByte.openParen)
        out.put(r.frontendName)
        out.put(ASCIIByte.slash)
        out.put(r.isHTTP ? modeHTTP : modeTCP)
        out.put(ASCIIByte.closeParen)
    }
}

extension LogVariable {
    /// Appends what this variable shows for `record`, as a log line would
    /// (values outside log lines, such as a header set from `%ci`, use it too).
    public func append(flags: LogFlags, record: LogRecord, to out: inout [UInt8]) {
        var dates = LogDateCache()
        _ = LogLineFormat.appendVariable(self, flags: flags, record: record, dates: &dates, to: &out)
    }
}
