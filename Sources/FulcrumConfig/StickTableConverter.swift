import FulcrumLog

/// `in_table(T)` and the `table_X([IDX,]T)` converters (HAProxy 2.6, manual
/// 7.3.1): the input sample, cast to table T's key type, is looked up there
/// and the entry's stored X returned (0 for a key not in the table, no sample
/// when T does not store X); `in_table` says whether the key is there.
public struct StickTableConverter: Equatable, Sendable {
    /// The converter as written (for messages).
    public let name: String
    /// The `src_X` fetch suffix the value is read as; nil for `in_table`.
    public let fetchSuffix: String?
    /// `gpc`, `gpt`, `gpc_rate`: the array index.
    public let element: Int?
    public let table: String

    /// table_X → the stick fetch suffix reading the same value.
    static let suffixes: [String: String] = [
        "bytes_in_rate": "bytes_in_rate", "bytes_out_rate": "bytes_out_rate",
        "conn_cnt": "conn_cnt", "conn_cur": "conn_cur", "conn_rate": "conn_rate",
        "gpc": "get_gpc", "gpc_rate": "gpc_rate", "gpt": "get_gpt",
        "gpc0": "get_gpc0", "gpc0_rate": "gpc0_rate", "gpc1": "get_gpc1", "gpc1_rate": "gpc1_rate", "gpt0": "get_gpt0",
        "http_err_cnt": "http_err_cnt", "http_err_rate": "http_err_rate",
        "http_fail_cnt": "http_fail_cnt", "http_fail_rate": "http_fail_rate",
        "http_req_cnt": "http_req_cnt", "http_req_rate": "http_req_rate",
        "kbytes_in": "kbytes_in", "kbytes_out": "kbytes_out", "server_id": "server_id",
        "sess_cnt": "sess_cnt", "sess_rate": "sess_rate", "trackers": "trackers",
    ]
    static let indexed: Set<String> = ["gpc", "gpc_rate", "gpt"]

    /// The converter `call` names, or its argument error; nil when it is none of them.
    static func parse(_ call: LogSampleCall) -> Result<SampleConverter, ParseFailure>? {
        let name = call.name, args = call.arguments
        let suffix: String?
        if name == "in_table" {
            suffix = nil
        } else if name.hasPrefix("table_"), let s = suffixes[String(name.dropFirst(6))] {
            suffix = s
        } else {
            return nil
        }
        let indexed = StickTableConverter.indexed.contains(String(name.dropFirst(6))) && suffix != nil
        let need = indexed ? 2 : 1
        guard args.count >= need, !args[need - 1].isEmpty else {
            let got = args.filter { !$0.isEmpty }.count
            return .failure(ParseFailure("invalid arg \(got + 1) in converter '\(name)' : missing arguments (got \(got)/\(need)), type 'table' expected"))
        }
        guard args.count == need else {
            return .failure(ParseFailure("invalid arg \(need + 1) in converter '\(name)' : end of arguments expected at position \(need + 1), but got '\(args[need...].joined(separator: ","))'"))
        }
        var element: Int? = nil
        if indexed {
            guard let i = Int(args[0]), (0..<100).contains(i) else {
                return .failure(ParseFailure("invalid arg 1 in converter '\(name)' : failed to parse '\(args[0])' as type 'integer' at position 1"))
            }
            element = i
        }
        return .success(.stickTable(StickTableConverter(name: name, fetchSuffix: suffix, element: element, table: args[need - 1])))
    }
}
