import FulcrumConfig

/// A stick counter fetch resolved once: where the entry comes from (the
/// stream's counter N, or the client's address looked up as `src_*` do),
/// what it reads, and the table it names (nil: the tracked entry's table,
/// or the rule's proxy's table for `src_*`).
public struct StickFetch: Sendable, Equatable {
    public enum Source: Sendable, Equatable { case counter(Int), clientAddress, table }
    public enum Value: Sendable, Equatable {
        /// A stored type's value (`kbytes`: bytes counters divided by 1024).
        case data(StickDataType, element: Int, kbytes: Bool)
        /// `inc_gpc*`: increments, then returns the new value.
        case increment(StickDataType, element: Int)
        /// `clr_gpc*`: clears, returning the value it had.
        case clear(StickDataType, element: Int)
        case tracked, trackers
        /// `table_cnt`, `table_avl`: the table's entries, and the room left.
        case entries, available
    }

    public var source: Source
    public var value: Value
    public var table: String?

    /// `sc_X(N[,T])`, `scN_X([T])`, `src_X([T])`, the array forms with their
    /// index first; nil when `name` is none of them.
    public init?(name: String, arguments: [String]) throws {
        var args = arguments
        let suffix: Substring
        if name == "table_cnt" || name == "table_avl" {
            guard args.count <= 1 else { throw HTTPRulesError("fetch '\(name)' takes at most a table name") }
            source = .table
            value = name == "table_cnt" ? .entries : .available
            table = args.first.flatMap { $0.isEmpty ? nil : $0 }
            return
        }
        if name.hasPrefix("src_") {
            source = .clientAddress
            suffix = name.dropFirst(4)
        } else if name.hasPrefix("sc_") {
            suffix = name.dropFirst(3)
            let needsIndex = StickFetch.arrayForms.contains(String(suffix))
            let position = needsIndex ? 1 : 0
            guard args.count > position, let n = Int(args[position]), (0..<3).contains(n) else {
                throw HTTPRulesError("fetch '\(name)' expects a stick counter number (0 to 2)")
            }
            args.remove(at: position)
            source = .counter(n)
        } else if name.count > 4, name.hasPrefix("sc"), let n = Int(String(name.dropFirst(2).prefix(1))), (0..<3).contains(n),
                  name.dropFirst(3).hasPrefix("_") {
            suffix = name.dropFirst(4)
            source = .counter(n)
        } else {
            return nil
        }
        var element = 0
        if StickFetch.arrayForms.contains(String(suffix)) {
            guard let first = args.first, let i = Int(first), (0..<ParseSessionLimits.arraySize).contains(i) else {
                throw HTTPRulesError("fetch '\(name)' expects a general purpose array index first")
            }
            element = i
            args.removeFirst()
        }
        guard args.count <= 1 else { throw HTTPRulesError("fetch '\(name)': too many arguments") }
        table = args.first.flatMap { $0.isEmpty ? nil : $0 }
        switch suffix {
        case "tracked": value = .tracked
        case "trackers": value = .trackers
        case "kbytes_in": value = .data(.bytesInCount, element: 0, kbytes: true)
        case "kbytes_out": value = .data(.bytesOutCount, element: 0, kbytes: true)
        case "get_gpc0": value = .data(.gpc0, element: 0, kbytes: false)
        case "get_gpc1": value = .data(.gpc1, element: 0, kbytes: false)
        case "get_gpt0": value = .data(.gpt0, element: 0, kbytes: false)
        case "get_gpc": value = .data(.gpc, element: element, kbytes: false)
        case "get_gpt": value = .data(.gpt, element: element, kbytes: false)
        case "gpc_rate": value = .data(.gpcRate, element: element, kbytes: false)
        case "inc_gpc0": value = .increment(.gpc0, element: 0)
        case "inc_gpc1": value = .increment(.gpc1, element: 0)
        case "inc_gpc": value = .increment(.gpc, element: element)
        case "clr_gpc0": value = .clear(.gpc0, element: 0)
        case "clr_gpc1": value = .clear(.gpc1, element: 0)
        case "clr_gpc": value = .clear(.gpc, element: element)
        default:
            guard let t = StickDataType(name: String(suffix)) else { return nil }
            value = .data(t, element: 0, kbytes: false)
        }
    }

    static let arrayForms: Set<String> = ["get_gpc", "gpc_rate", "get_gpt", "inc_gpc", "clr_gpc"]

    /// gpc0/gpc1/gpt0 and their rates stand for the arrays' first elements
    /// in a table storing `gpc(N)` / `gpt(N)` instead (HAProxy 2.5+).
    static func legacy(_ t: StickDataType) -> (StickDataType, Int)? {
        switch t {
        case .gpc0: return (.gpc, 0)
        case .gpc1: return (.gpc, 1)
        case .gpc0Rate: return (.gpcRate, 0)
        case .gpc1Rate: return (.gpcRate, 1)
        case .gpt0: return (.gpt, 0)
        default: return nil
        }
    }
}

/// What FulcrumConfig allows as an array index.
enum ParseSessionLimits { static let arraySize = 100 }
