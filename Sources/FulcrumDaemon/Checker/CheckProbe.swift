import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix
import FulcrumTLS

/// One health check in flight: connect, then (HTTP or tcp-check) send and
/// receive until the check's logic has a verdict. Driven by the checker's
/// event loop; never blocks.
final class CheckProbe {
    enum Phase { case connecting, socks4, handshaking, sending, receiving, process }

    /// `check-ssl` (or `ssl` inherited by checks on the server's port): the
    /// check speaks TLS with the server's context, sending `check-sni` and
    /// announcing `check-alpn` (nil: the context's own list).
    struct TLS {
        var context: TLSContext
        var serverName: String?
        var alpn: [String]?
    }

    let kind: CheckKind
    let started: Int64
    /// Connect deadline, then (with `timeout check`) the read deadline.
    private(set) var deadline: Int64
    /// `timeout check`: the time allowed once connected; nil when the whole
    /// check is bounded by the first deadline.
    private let readTimeout: Int?
    private(set) var fd = FileDescriptor(-1)
    private(set) var phase = Phase.connecting
    private var out: [UInt8] = []
    private var sent = 0
    private var received: [UInt8] = []
    /// tcp-check: index of the next rule to run; `step` numbering as HAProxy's.
    private var rule = 0
    /// A protocol check's step (the `.send` verdicts so far).
    private var protocolStep = 0
    private let rules: [TCPCheckRule]
    private let config: HealthCheckConfig
    private let address: SocketAddress
    private let expect: HTTPCheck.Expect?
    private let matchers: [TCPCheck.Matcher?]
    private let tlsSettings: TLS?
    private var tls: TLSConnection?
    /// `send-proxy[-v2]` on the server (and no check `port`/`addr`): HAProxy
    /// sends checks the PROXY header too, with the check connection's own
    /// endpoints. 0: none.
    private let sendProxy: Int
    /// An agent check (`agent-check`): what it sends first (`agent-send`,
    /// maybe nothing), then the agent's one-line reply; nil for health checks.
    private let agentSend: [UInt8]?
    /// The agent's reply once read (an agent check that ended with a line).
    private(set) var agentReply: AgentReply?
    /// `http-check disable-on-404` while the server is not DOWN.
    private let disableOn404: Bool
    /// `check-via-socks4` on a `socks4` server: the proxy checks connect to,
    /// and (once connected) the destination its CONNECT names (CheckProbe+SOCKS4).
    let socks4: SocketAddress?
    var socks4Destination: SocketAddress? = nil
    /// `option external-check`: the program to run instead of connecting,
    /// and its process while it runs (CheckProbe+External).
    var program: ExternalProgram? = nil
    var process: pid_t = 0
    static let maxResponse = 16384

    /// HAProxy: with `timeout check`, the connect is bounded by
    /// min(timeout connect, inter) and the rest by timeout check; without it,
    /// `inter` bounds the whole check.
    init(config: HealthCheckConfig, address: SocketAddress, expect: HTTPCheck.Expect?,
         matchers: [TCPCheck.Matcher?], now: Int64, connectTimeout: Int, readTimeout: Int?, tls: TLS? = nil,
         sendProxy: Int = 0, agentSend: [UInt8]? = nil, disableOn404: Bool = false, socks4: SocketAddress? = nil) {
        self.socks4 = socks4
        self.agentSend = agentSend
        self.disableOn404 = disableOn404
        self.tlsSettings = tls
        self.sendProxy = sendProxy
        self.kind = config.kind
        self.config = config
        self.address = address
        self.expect = expect
        self.matchers = matchers
        self.rules = config.tcpRules
        self.started = now
        self.deadline = now + Int64(connectTimeout)
        self.readTimeout = readTimeout
    }

    func duration(_ now: Int64) -> Int { Int(max(0, now - started)) }

    /// The SOCKS4 request is sent; the proxy's reply is awaited (CheckProbe+SOCKS4).
    func enterSOCKS4Phase() { phase = .socks4 }
    /// The external check's process runs; `fd` is its pidfd (CheckProbe+External).
    func enterProcessPhase(_ pidfd: FileDescriptor) { phase = .process; fd = pidfd }

    /// Opens the first connection. Returns a result when it failed at once.
    func start(loop: EventLoop, token: EventToken, now: Int64) -> CheckResult? {
        if let program { return run(program, loop: loop, token: token, now: now) }
        if kind == .tcpCheck, case .connect(let port, let addr)? = rules.first {
            rule = 1
            return connect(port: port, address: addr, loop: loop, token: token, now: now)
        }
        return connect(port: nil, address: nil, loop: loop, token: token, now: now)
    }

    private func connect(port: Int?, address override: String?, loop: EventLoop, token: EventToken, now: Int64) -> CheckResult? {
        close()
        var target = address
        if let override, let a = SocketAddress.resolve(host: override, port: target.port) { target = a }
        if let port { target.port = port }
        socks4Destination = nil
        if let socks4 { socks4Destination = target; target = socks4 }
        do {
            fd = try Socket.stream(family: target.family)
            try loop.register(fd, [.writable, .readable], token)
            phase = .connecting
            if try Socket.connect(fd, to: target) { return connected(loop: loop, token: token, now: now) }
            return nil
        } catch {
            return failure(connectError: error.rawValue, now: now)
        }
    }

    /// Readiness on the socket; returns the verdict when there is one.
    func handle(loop: EventLoop, token: EventToken, now: Int64) -> CheckResult? {
        switch phase {
        case .connecting:
            let err = Socket.pendingError(fd)
            if err != 0 { return failure(connectError: err, now: now) }
            return connected(loop: loop, token: token, now: now)
        case .socks4:
            return socks4Reply(loop: loop, token: token, now: now)
        case .handshaking:
            return handshake(loop: loop, token: token, now: now)
        case .sending:
            return flush(loop: loop, token: token, now: now)
        case .receiving:
            return receive(loop: loop, token: token, now: now)
        case .process:
            return processEnded(now: now)
        }
    }

    /// The verdict at the check's deadline (HAProxy: L4TOUT while connecting,
    /// L7TOUT once a request or rule is under way).
    func timedOut(now: Int64) -> CheckResult {
        if phase == .process { return processTimedOut(now: now) }
        if phase == .handshaking {
            return CheckResult(status: .l6timeout, durationMs: duration(now))
        }
        if phase == .connecting || phase == .socks4 {
            var info: String? = nil
            // HAProxy's info keeps the context's leading space.
            if kind == .tcpCheck { info = TCPCheck.errorContext(step: stepNumber, rule: ruleKind(rule - 1)) }
            return CheckResult(status: .l4timeout, info: info, durationMs: duration(now))
        }
        if config.protocolCheck == .sslHello {
            return CheckResult(status: .l6timeout, durationMs: duration(now))
        }
        if kind == .tcpCheck {
            return CheckResult(status: .l7timeout, info: TCPCheck.errorContext(step: stepNumber, rule: ruleKind(rule - 1)),
                               durationMs: duration(now))
        }
        return CheckResult(status: .l7timeout, durationMs: duration(now))
    }

    func close() {
        if process != 0 { stopProcess() }
        if let tls { tls.close(abort: false); self.tls = nil; fd = FileDescriptor(-1); return }
        if fd.rawValue >= 0 { fd.close(); fd = FileDescriptor(-1) }
    }

    // MARK: steps

    private var stepNumber: Int { kind == .tcpCheck ? max(0, rule) : 0 }

    func connected(loop: EventLoop, token: EventToken, now: Int64) -> CheckResult? {
        // `check-via-socks4`: the proxy's handshake first (its reply comes in phase .socks4).
        if socks4Destination != nil && phase == .connecting { return socks4Request(now: now) }
        if sendProxy != 0 && tls == nil && (phase == .connecting || phase == .socks4) {
            let local = Socket.localAddress(fd), remote = Socket.remoteAddress(fd)
            var line = [UInt8](repeating: 0, count: ProxyProtocolEncoder.maximumLength)
            let n = line.withUnsafeMutableBytes { out in
                sendProxy == 2
                    ? ProxyProtocolEncoder.writeV2(source: local?.ipAddress, sourcePort: local?.port ?? 0,
                                                   destination: remote?.ipAddress, destinationPort: remote?.port ?? 0, into: out)
                    : ProxyProtocolEncoder.writeV1(source: local?.ipAddress, sourcePort: local?.port ?? 0,
                                                   destination: remote?.ipAddress, destinationPort: remote?.port ?? 0, into: out)
            }
            let sent = line.withUnsafeBytes { try? Socket.send(fd, $0.baseAddress!, count: n) }
            if sent != n { return CheckResult(status: .socketError, info: "cannot send the PROXY header", durationMs: duration(now)) }
        }
        if let settings = tlsSettings, tls == nil {
            do { tls = try TLSConnection(fd: fd, context: settings.context, serverName: settings.serverName,
                                          alpn: settings.alpn) } catch {
                return CheckResult(status: .socketError, info: "\(error)", durationMs: duration(now))
            }
            phase = .handshaking
            return handshake(loop: loop, token: token, now: now)
        }
        return exchangeStarts(loop: loop, token: token, now: now)
    }

    /// HAProxy's layer 6: the handshake failing is L6RSP, timing out L6TOUT,
    /// and a check that only connects passes as L6OK.
    private func handshake(loop: EventLoop, token: EventToken, now: Int64) -> CheckResult? {
        guard let tls else { return nil }
        do {
            guard try tls.handshake() else { return nil }
        } catch {
            if error == .again { return nil }
            return CheckResult(status: .l6response, info: "SSL handshake failure", durationMs: duration(now))
        }
        if kind == .tcpConnect && config.protocolCheck == nil { return CheckResult(status: .l6ok, durationMs: duration(now)) }
        return exchangeStarts(loop: loop, token: token, now: now)
    }

    private func exchangeStarts(loop: EventLoop, token: EventToken, now: Int64) -> CheckResult? {
        if let readTimeout { deadline = now + Int64(readTimeout) }
        if let p = config.protocolCheck {
            out = ProtocolCheckExchange.request(p, unixTime: UInt32(truncatingIfNeeded: WallClock.nowSeconds()))
            sent = 0
            phase = .sending
            return flush(loop: loop, token: token, now: now)
        }
        if let agentSend {
            out = agentSend
            sent = 0
            phase = .sending
            return flush(loop: loop, token: token, now: now)
        }
        switch kind {
        case .tcpConnect:
            return CheckResult(status: .l4ok, durationMs: duration(now))
        case .http:
            out = HTTPCheck.request(method: config.method, uri: config.uri, version: config.version,
                                    headers: config.headers.map { ($0.name, $0.value) }, body: config.body)
            sent = 0
            phase = .sending
            return flush(loop: loop, token: token, now: now)
        case .tcpCheck:
            return advance(loop: loop, token: token, now: now)
        }
    }

    private func flush(loop: EventLoop, token: EventToken, now: Int64) -> CheckResult? {
        while sent < out.count {
            if let tls {
                do {
                    sent += try out.withUnsafeBytes { p throws(Errno) in try tls.send(p.baseAddress! + sent, count: p.count - sent) }
                    continue
                } catch {
                    if (error as? Errno) == .again { return nil }
                    return CheckResult(status: .socketError, info: "\(error)", durationMs: duration(now))
                }
            }
            let n = out.withUnsafeBytes { p in Glibc.send(fd.rawValue, p.baseAddress! + sent, p.count - sent, Int32(MSG_NOSIGNAL)) }
            if n >= 0 { sent += n; continue }
            if errno == EAGAIN || errno == EINTR { return nil }
            return CheckResult(status: .socketError, info: Errno.current.description, durationMs: duration(now))
        }
        out.removeAll(keepingCapacity: true)
        sent = 0
        if kind == .http || agentSend != nil || config.protocolCheck != nil {
            phase = .receiving
            return receive(loop: loop, token: token, now: now)
        }
        return advance(loop: loop, token: token, now: now)
    }

    private func receive(loop: EventLoop, token: EventToken, now: Int64) -> CheckResult? {
        var complete = false
        var chunk = [UInt8](repeating: 0, count: 4096)
        while received.count < CheckProbe.maxResponse {
            if let tls {
                do {
                    let n = try chunk.withUnsafeMutableBytes { p throws(Errno) in try tls.receive(into: p.baseAddress!, count: p.count) }
                    if n > 0 { received.append(contentsOf: chunk[0..<n]); continue }
                    complete = true
                } catch {
                    if (error as? Errno) != .again { complete = true }
                }
                break
            }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd.rawValue, $0.baseAddress!, $0.count) }
            if n > 0 { received.append(contentsOf: chunk[0..<n]); continue }
            if n == 0 { complete = true; break }
            if errno == EAGAIN || errno == EINTR { break }
            // A reset after some data still lets the data be judged.
            complete = true
            break
        }
        if received.count >= CheckProbe.maxResponse { complete = true }
        if let p = config.protocolCheck {
            switch ProtocolCheckExchange.judge(p, received, complete: complete, step: protocolStep) {
            case .needMore: return nil
            case .done(let status, let info, let code):
                return CheckResult(status: status, code: status.showsCode ? code : nil, info: info, durationMs: duration(now))
            case .send(let bytes):
                protocolStep += 1
                received.removeAll(keepingCapacity: true)
                out = bytes; sent = 0; phase = .sending
                return flush(loop: loop, token: token, now: now)
            }
        }
        if agentSend != nil {
            switch AgentReply.parse(received, complete: complete) {
            case .needMore: return nil
            case .incomplete:
                return CheckResult(status: .unknown, info: "Ignoring incomplete line from agent", durationMs: duration(now))
            case .reply(let r):
                agentReply = r
                return CheckResult(status: .l7ok, code: 0, durationMs: duration(now))
            }
        }
        switch kind {
        case .http:
            if let r = HTTPCheck.evaluate(received, complete: complete, expect: expect, durationMs: duration(now),
                                          disableOn404: disableOn404) { return r }
            if complete { return CheckResult(status: .l7response, durationMs: duration(now)) }
            return nil
        case .tcpCheck:
            guard case .expect(let negated, _) = rules[rule - 1], let matcher = matchers[rule - 1] else { return nil }
            switch TCPCheck.match(received, matcher: matcher, negated: negated, complete: complete,
                                  step: rule, durationMs: duration(now)) {
            case .needMore: return nil
            case .failed(let r): return r
            case .matched:
                received.removeAll(keepingCapacity: true)
                return advance(loop: loop, token: token, now: now)
            }
        case .tcpConnect:
            return nil
        }
    }

    /// Runs tcp-check rules from `rule` until one has to wait.
    private func advance(loop: EventLoop, token: EventToken, now: Int64) -> CheckResult? {
        while rule < rules.count {
            let r = rules[rule]
            rule += 1
            switch r {
            case .connect(let port, let address):
                return connect(port: port, address: address, loop: loop, token: token, now: now)
            case .send(let text):
                out = Array(text.utf8); sent = 0; phase = .sending
                return flush(loop: loop, token: token, now: now)
            case .sendBinary(let bytes):
                out = bytes; sent = 0; phase = .sending
                return flush(loop: loop, token: token, now: now)
            case .expect:
                phase = .receiving
                return receive(loop: loop, token: token, now: now)
            }
        }
        if case .connect? = rules.last {
            return TCPCheck.passedResult(lastRuleIsConnect: true, durationMs: duration(now))
        }
        return TCPCheck.passedResult(lastRuleIsConnect: false, durationMs: duration(now))
    }

    private func ruleKind(_ i: Int) -> TCPCheck.RuleKind? {
        guard i >= 0, i < rules.count else { return nil }
        switch rules[i] {
        case .connect(let port, _): return .connect(port: port)
        case .send, .sendBinary: return .send
        case .expect: return matchers[i].map { .expect($0) }
        }
    }

    private func failure(connectError err: Int32, now: Int64) -> CheckResult {
        var info = String(cString: strerror(err))
        if kind == .tcpCheck { info += TCPCheck.errorContext(step: stepNumber, rule: ruleKind(rule - 1)) }
        return CheckResult(status: .l4connect, info: info, durationMs: duration(now))
    }
}
