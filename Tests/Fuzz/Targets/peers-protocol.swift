// modules: FulcrumBytes FulcrumLog FulcrumConfig FulcrumHTTP FulcrumCore
// Bytes from a peer: the handshake (odd first byte: a fresh connection), or
// the messages after a good hello (even: control, table definitions and
// updates of every form and key type) applied to four small tables; the
// node answers, ticks and drops a bad peer, never traps.
import FulcrumCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPeersProtocol(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    PeersFuzz.run(FuzzInput(data, size).bytes)
    return 0
}
