import FulcrumBytes

/// The periods of a `resolvers` section, in milliseconds.
public struct DNSResolverTiming: Equatable, Sendable {
    public var retries = 3
    public var timeoutRetry: Int64 = 1000
    public var timeoutResolve: Int64 = 1000
    public var holdValid: Int64 = 10_000
    public var holdNX: Int64 = 30_000
    public var holdOther: Int64 = 30_000
    public var holdRefused: Int64 = 30_000
    public var holdTimeout: Int64 = 30_000
    public var holdObsolete: Int64 = 0
    public init() {}
}

/// One usable record of a resolution: an address (A/AAAA), or an SRV
/// target with its port and weight; `lastSeen` ages it out (`hold obsolete`).
public struct DNSResolvedItem: Equatable, Sendable {
    public var address: IPAddress
    public var port: Int?
    public var weight: Int?
    /// The SRV target's name.
    public var target: String?
    public var lastSeen: Int64
    public init(address: IPAddress, port: Int? = nil, weight: Int? = nil, target: String? = nil, lastSeen: Int64) {
        self.address = address; self.port = port; self.weight = weight; self.target = target; self.lastSeen = lastSeen
    }
}

/// One name resolved over and over, as HAProxy's `struct resolv_resolution`:
/// asked every `hold valid`, each query waiting `timeout retry` and sent
/// `resolve_retries` times; an error answer to the preferred family is asked
/// again at once in the other one, and an error in both waits for `timeout
/// retry` and starts the next try (haproxy 2.6's rounds); the items of the last valid answer are
/// kept while the error lasts less than its `hold`. Time is injected (ms).
public struct DNSResolution: Sendable {
    public enum Status: String, Sendable { case none, valid, nx, refused, other, timeout }

    public let name: String
    public let preferredType: DNSType
    public private(set) var queryType: DNSType
    public private(set) var status = Status.none
    public private(set) var items: [DNSResolvedItem] = []
    /// SRV targets of the last valid answer that came without an address in
    /// its additional section: HAProxy resolves each of them on its own.
    public private(set) var targetsWithoutAddress: [DNSService] = []
    /// The last valid answer, or when the resolution began (HAProxy counts
    /// a hold from there, so an address from `init-addr` is kept as long).
    public private(set) var lastValid: Int64
    /// An error within its `hold`: the servers keep what they have.
    public private(set) var holding = false
    /// The query in flight, its send time and the tries left after it.
    public private(set) var pendingID: UInt16? = nil
    public private(set) var sentAt: Int64 = 0
    private var triesLeft = 0
    private var lastResolution: Int64? = nil
    /// Error answers to the query in flight, one per name server at most.
    private var errorAnswers = 0
    private var firstError = Status.other

    public init(name: String, preferIPv4: Bool, now: Int64 = 0) {
        lastValid = now
        self.name = DNSName.canonical(name)
        if self.name.hasPrefix("_") { preferredType = .srv } else { preferredType = preferIPv4 ? .a : .aaaa }
        queryType = preferredType
    }

    /// When the next query is due: now for a new resolution, else
    /// `hold valid` after the last one ended, and not before `timeout
    /// resolve` (haproxy's resolvers task wakes that often and runs the
    /// resolutions whose `hold valid` has passed).
    public func nextStart(_ t: DNSResolverTiming) -> Int64 {
        guard let last = lastResolution else { return 0 }
        return last + max(t.holdValid, t.timeoutResolve)
    }

    /// The deadline of the query in flight, or the next start.
    public func nextDeadline(_ t: DNSResolverTiming) -> Int64 {
        pendingID != nil ? sentAt + t.timeoutRetry : nextStart(t)
    }

    /// Starts a resolution (a fresh set of tries, the preferred type).
    public mutating func start(id: UInt16, now: Int64, _ t: DNSResolverTiming) {
        queryType = preferredType
        triesLeft = max(t.retries, 1) - 1
        send(id: id, now: now)
    }

    private mutating func send(id: UInt16, now: Int64) {
        pendingID = id
        sentAt = now
        errorAnswers = 0
    }

    /// The query in flight timed out: resent with `id` while tries remain
    /// (true), else the resolution ends with status `timeout`.
    public mutating func timedOut(newID id: UInt16, now: Int64, _ t: DNSResolverTiming) -> Bool {
        if triesLeft > 0 {
            triesLeft -= 1
            // Each try asks the preferred family first.
            queryType = preferredType
            send(id: id, now: now)
            return true
        }
        finish(.timeout, now: now, t)
        return false
    }

    /// What a response did.
    public enum Progress: Equatable, Sendable {
        /// Not for this query (stale id, other question): ignored.
        case ignored
        /// Waiting on other name servers, or asked again in the other family (send `pendingID`).
        case waiting, resend
        /// The resolution ended; `items` and `status` are its result.
        case done
    }

    /// A response from one of `nameservers` name servers.
    public mutating func receive(_ r: DNSResponse, nameservers: Int, newID: UInt16, now: Int64, _ t: DNSResolverTiming) -> Progress {
        guard let id = pendingID, r.id == id, r.questionName == name, r.questionType == queryType.rawValue else { return .ignored }
        // haproxy 2.6 takes a truncated answer (TC) as an error, but an SRV one,
        // whose whole records it uses (a larger `accepted_payload_size` avoids it).
        let outcome = DNSAnswer.outcome(r, name: name, type: queryType)
        var found: [DNSResolvedItem] = []
        var unaddressed: [DNSService] = []
        switch outcome {
        case .addresses(let list):
            for a in list where !found.contains(where: { $0.address == a }) { found.append(DNSResolvedItem(address: a, lastSeen: now)) }
        case .services(let services):
            for s in services {
                guard let a = s.address else { unaddressed.append(s); continue }
                found.append(DNSResolvedItem(address: a, port: Int(s.port), weight: Int(s.weight), target: s.target, lastSeen: now))
            }
        default: break
        }
        if !found.isEmpty || !unaddressed.isEmpty {
            merge(found, now: now, t)
            targetsWithoutAddress = unaddressed
            lastValid = now
            finish(.valid, now: now, t)
            return .done
        }
        let status: Status
        switch outcome {
        case .nameError: status = .nx
        case .refused: status = .refused
        default: status = .other
        }
        if errorAnswers == 0 { firstError = status }
        errorAnswers += 1
        // HAProxy waits for every name server before judging an error.
        if errorAnswers < nameservers { return .waiting }
        if queryType == preferredType && preferredType != .srv {
            // The other family is asked at once, without spending a try.
            queryType = preferredType == .a ? .aaaa : .a
            send(id: newID, now: now)
            return .resend
        }
        // As haproxy 2.6: the error ends the resolution only on its last try;
        // else the next try is sent once `timeout retry` has passed.
        if triesLeft > 0 { return .waiting }
        finish(firstError, now: now, t)
        return .done
    }

    /// Items seen now replace those of the same address; the rest stay
    /// until `hold obsolete` has passed since they were last seen.
    private mutating func merge(_ found: [DNSResolvedItem], now: Int64, _ t: DNSResolverTiming) {
        var kept = found
        for old in items where !found.contains(where: { $0.address == old.address && $0.port == old.port }) {
            if now - old.lastSeen < t.holdObsolete { kept.append(old) }
        }
        items = kept
    }

    private mutating func finish(_ s: Status, now: Int64, _ t: DNSResolverTiming) {
        status = s
        pendingID = nil
        lastResolution = now
        holding = false
        guard s != .valid else { return }
        let hold: Int64
        switch s {
        case .nx: hold = t.holdNX
        case .refused: hold = t.holdRefused
        case .timeout: hold = t.holdTimeout
        default: hold = t.holdOther
        }
        // The last valid answer is kept `hold <status>` after it came.
        if now - lastValid < hold { holding = true; return }
        items = []
        targetsWithoutAddress = []
    }

    /// Forgets the answers (a name changed by `set server fqdn`).
    public mutating func reset(now: Int64) {
        items = []; targetsWithoutAddress = []; lastValid = now; lastResolution = nil; pendingID = nil; status = .none; holding = false
    }
}
