import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

/// A frontend's capture slots (`capture request|response header`, `declare
/// capture`, `http-request capture ... len`), for the `capture.req.hdr(N)`
/// and `capture.res.hdr(N)` fetches: slot N's value as the log line would
/// show it (the header's last value as received, cut to the slot's length;
/// a rule's slot, what its capture rule put there last).
public final class HeaderCaptureSlots: Sendable {
    public let request: [(name: [UInt8]?, length: Int)]
    public let response: [(name: [UInt8]?, length: Int)]

    public init(_ captures: LogCaptures) {
        func slots(_ list: [CaptureSlot]) -> [(name: [UInt8]?, length: Int)] {
            list.map { slot in
                if case .header(let n) = slot.source { return (Array(n.lowercased().utf8), slot.length) }
                return (nil, slot.length)
            }
        }
        request = slots(captures.request)
        response = slots(captures.response)
    }

    /// Slot `n` of one side: from `head` for a header slot, from `rules`
    /// (what capture rules left) otherwise; nil: nothing captured.
    func value(_ n: Int, response: Bool, head: HTTPHead?, rules: [(slot: Int, value: [UInt8])]) -> ArraySlice<UInt8>? {
        let list = response ? self.response : request
        guard n >= 0, n < list.count else { return nil }
        let slot = list[n]
        guard let name = slot.name else { return rules.last { $0.slot == n }?.value.prefix(slot.length) }
        guard let head, !head.raw.isEmpty else { return nil }
        var found: ArraySlice<UInt8>? = nil
        for f in head.fields where f.name.count == name.count && ASCII.equalsIgnoringCase(head.raw[f.name], name) {
            found = head.raw[f.value]
        }
        return found?.prefix(slot.length)
    }
}
