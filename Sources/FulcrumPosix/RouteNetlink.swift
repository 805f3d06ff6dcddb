import FulcrumBytes
import Glibc
import CFulcrum

/// A NETLINK_ROUTE command socket: interface look-ups and IPv4 address changes,
/// one request at a time, waiting for the kernel's answer. The kernel answers
/// these at once, so a blocking socket (with a receive timeout as a guard) keeps
/// the caller simple; events arrive on a separate `RouteEventSocket`, so no
/// unrelated message is ever interleaved with an answer here.
public final class RouteNetlink {
    public let fd: FileDescriptor
    private let buffer: UnsafeMutableRawBufferPointer
    private var sequence: UInt32 = 0

    /// - receiveTimeout: milliseconds a request may wait for its answer before
    ///   failing with EAGAIN (a kernel that does not answer is a bug, not a wait).
    public init(receiveTimeout: Int = 2000, bufferSize: Int = 64 << 10) throws(Errno) {
        fd = FileDescriptor(try syscall { cf_netlink_route_socket(0, 0) })
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 8)
        var tv = timeval(tv_sec: receiveTimeout / 1000, tv_usec: (receiveTimeout % 1000) * 1000)
        _ = setsockopt(fd.rawValue, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
    deinit { buffer.deallocate(); fd.close() }

    // MARK: Interfaces

    /// The interface called `name`, or nil when there is none.
    public func interface(named name: String) throws(Errno) -> NetworkInterface? {
        var r = NetlinkRequest(type: CF_RTM_GETLINK, flags: CF_NLM_F_ACK, sequence: nextSequence())
        appendLinkHeader(&r, index: 0)
        r.attribute(CF_IFLA_IFNAME, string: name)
        return try lookUpLink(r)
    }

    /// The interface with kernel index `index`, or nil when there is none.
    public func interface(index: Int32) throws(Errno) -> NetworkInterface? {
        var r = NetlinkRequest(type: CF_RTM_GETLINK, flags: CF_NLM_F_ACK, sequence: nextSequence())
        appendLinkHeader(&r, index: index)
        return try lookUpLink(r)
    }

    /// Every interface in this network namespace.
    public func interfaces() throws(Errno) -> [NetworkInterface] {
        var r = NetlinkRequest(type: CF_RTM_GETLINK, flags: CF_NLM_F_DUMP, sequence: nextSequence())
        appendLinkHeader(&r, index: 0)
        var out: [NetworkInterface] = []
        try transact(r.finished) { m in
            if m.type == CF_RTM_NEWLINK, let i = NetworkInterface(linkPayload: m.payload) { out.append(i) }
        }
        return out
    }

    // MARK: Addresses

    /// The IPv4 addresses of one interface (or of all with nil), primaries before
    /// their secondaries, in the kernel's order.
    public func ipv4Addresses(interfaceIndex: Int32? = nil) throws(Errno) -> [InterfaceAddress] {
        var r = NetlinkRequest(type: CF_RTM_GETADDR, flags: CF_NLM_F_DUMP, sequence: nextSequence())
        r.append(UInt8(AF_INET)); r.append(UInt8(0)); r.append(UInt8(0)); r.append(UInt8(0))
        r.append(UInt32(0))
        var out: [InterfaceAddress] = []
        try transact(r.finished) { m in
            guard m.type == CF_RTM_NEWADDR, let a = InterfaceAddress(addressPayload: m.payload) else { return }
            if interfaceIndex == nil || a.interfaceIndex == interfaceIndex { out.append(a) }
        }
        return out
    }

    /// The address the kernel uses as source on this interface by default: the
    /// first primary (non-secondary) of global scope, else the first primary.
    /// VRRP adverts go out from it unless unicast_src_ip says otherwise.
    public func primaryIPv4Address(interfaceIndex: Int32) throws(Errno) -> InterfaceAddress? {
        let all = try ipv4Addresses(interfaceIndex: interfaceIndex).filter { !$0.isSecondary }
        return all.first { $0.scope == .global } ?? all.first
    }

    /// Adds an address (RTM_NEWADDR, create-exclusive). EEXIST comes back as
    /// `.alreadyPresent`; any other refusal is thrown.
    @discardableResult
    public func addAddress(_ address: InterfaceAddress) throws(Errno) -> AddressChangeOutcome {
        let req = address.request(type: CF_RTM_NEWADDR, flags: CF_NLM_F_ACK | CF_NLM_F_CREATE | CF_NLM_F_EXCL,
                                  sequence: nextSequence())
        do { try transact(req) { _ in } } catch {
            if error.rawValue == EEXIST { return .alreadyPresent }
            throw error
        }
        return .applied
    }

    /// Deletes an address (RTM_DELADDR). EADDRNOTAVAIL comes back as
    /// `.alreadyAbsent`; any other refusal is thrown.
    @discardableResult
    public func deleteAddress(_ address: InterfaceAddress) throws(Errno) -> AddressChangeOutcome {
        let req = address.request(type: CF_RTM_DELADDR, flags: CF_NLM_F_ACK, sequence: nextSequence())
        do { try transact(req) { _ in } } catch {
            if error.rawValue == EADDRNOTAVAIL { return .alreadyAbsent }
            throw error
        }
        return .applied
    }

    // MARK: Routes and rules

    /// Adds (create-exclusive) or deletes a route. An add that finds the route
    /// there comes back as `.alreadyPresent`, a delete that finds none as
    /// `.alreadyAbsent`; any other refusal is thrown.
    @discardableResult
    public func change(_ route: RouteMessage, adding: Bool) throws(Errno) -> AddressChangeOutcome {
        try change(route.request(adding: adding, sequence: nextSequence()), adding: adding)
    }

    /// Adds or deletes a policy-routing rule, with the same outcomes as a route.
    @discardableResult
    public func change(_ rule: RuleMessage, adding: Bool) throws(Errno) -> AddressChangeOutcome {
        try change(rule.request(adding: adding, sequence: nextSequence()), adding: adding)
    }

    // MARK: Links

    /// Creates a macvlan interface (use_vmac); EEXIST is thrown.
    public func addLink(_ link: MacvlanLinkMessage) throws(Errno) {
        try transact(link.request(sequence: nextSequence())) { _ in }
    }

    /// Deletes an interface; one already gone comes back as `.alreadyAbsent`.
    @discardableResult
    public func deleteLink(index: Int32) throws(Errno) -> AddressChangeOutcome {
        do { try transact(MacvlanLinkMessage.deleteRequest(index: index, sequence: nextSequence())) { _ in } } catch {
            if error.rawValue == ENODEV { return .alreadyAbsent }
            throw error
        }
        return .applied
    }

    private func change(_ request: [UInt8], adding: Bool) throws(Errno) -> AddressChangeOutcome {
        do { try transact(request) { _ in } } catch {
            if adding, error.rawValue == EEXIST { return .alreadyPresent }
            if !adding, error.rawValue == ESRCH || error.rawValue == ENOENT { return .alreadyAbsent }
            throw error
        }
        return .applied
    }

    // MARK: Transport

    private func nextSequence() -> UInt32 { sequence &+= 1; return sequence }

    private func appendLinkHeader(_ r: inout NetlinkRequest, index: Int32) {
        r.append(UInt8(AF_UNSPEC)); r.append(UInt8(0)); r.append(UInt16(0))
        r.append(index); r.append(UInt32(0)); r.append(UInt32(0))
    }

    private func lookUpLink(_ r: NetlinkRequest) throws(Errno) -> NetworkInterface? {
        var found: NetworkInterface?
        do {
            try transact(r.finished) { m in
                if m.type == CF_RTM_NEWLINK { found = NetworkInterface(linkPayload: m.payload) }
            }
        } catch {
            if error.rawValue == ENODEV { return nil }
            throw error
        }
        return found
    }

    /// Sends one request and reads its answer: data messages go to `body`; a
    /// dump ends at NLMSG_DONE, any other request at its acknowledgement
    /// (NLMSG_ERROR with code 0). A non-zero code is thrown as that errno.
    /// Messages of other sequence numbers (a late answer to a timed-out request)
    /// are skipped.
    private func transact(_ request: [UInt8], _ body: (NetlinkMessage) -> Void) throws(Errno) {
        let seq = request.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) }
        while request.withUnsafeBytes({ cf_send(fd.rawValue, $0.baseAddress!, $0.count) }) < 0 {
            if errno != EINTR { throw Errno.current }
        }
        while true {
            let n = try receive()
            var finished = false
            var failure: Int32 = 0
            NetlinkMessage.forEach(in: UnsafeRawBufferPointer(rebasing: buffer[0..<n])) { m in
                guard !finished, m.sequence == seq else { return }
                switch m.type {
                case CF_NLMSG_ERROR:
                    failure = m.errorCode
                    finished = true
                case CF_NLMSG_DONE:
                    finished = true
                case CF_NLMSG_NOOP, CF_NLMSG_OVERRUN:
                    break
                default:
                    body(m)
                }
            }
            if failure != 0 { throw Errno(failure) }
            if finished { return }
        }
    }

    private func receive() throws(Errno) -> Int {
        while true {
            let n = recv(fd.rawValue, buffer.baseAddress!, buffer.count, Int32(MSG_TRUNC))
            if n > buffer.count { throw Errno(EMSGSIZE) }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw Errno.current
        }
    }
}
