/// One HTTP/1 response as a test client read it off the wire: the head as
/// sent (field names in their original case, in order) and the body with
/// any chunked framing removed.
struct HTTPTestResponse {
    let version: String
    let status: Int
    let reason: String
    let headers: [(name: String, value: String)]
    /// The payload (de-chunked; still compressed if Content-Encoding says so).
    let body: [UInt8]
    /// Whether the body was chunked on the wire.
    let chunked: Bool

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Values of the fields named `name` (case-insensitive), in order.
    func values(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The first value of `name`, nil when absent.
    func value(_ name: String) -> String? { values(name).first }

    /// Comma-separated list tokens of every `name` field, lower-cased and
    /// trimmed (Connection, Vary, Cache-Control...).
    func tokens(_ name: String) -> [String] {
        values(name).flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
    }
}
