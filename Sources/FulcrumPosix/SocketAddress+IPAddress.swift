import FulcrumBytes

extension SocketAddress {
    /// The address as a value (no bytes copied out to the heap): what rules,
    /// forwardfor and logs read. 0.0.0.0 for a family without one.
    @inlinable
    public var ipAddress: IPAddress { withAddressBytes { IPAddress(networkBytes: $0) } ?? .v4(.any) }
}
