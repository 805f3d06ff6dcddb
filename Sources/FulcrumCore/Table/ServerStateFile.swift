/// A server-state file as HAProxy 2.6 reads it (`show servers state` saved
/// to a file, format version 1): the version line, then one line per server,
/// blank and `#` lines skipped. Pure: the caller reads the file.
public enum ServerStateFile {
    /// One server's line: its fields as written (20 to 25 of them).
    public struct Entry: Sendable, Equatable {
        public var fields: [String]
        public var backendID: String { fields[0] }
        public var backendName: String { fields[1] }
        public var serverName: String { fields[3] }
        /// The fields after be_id be_name srv_id srv_name (HAProxy's params[0...]).
        public var parameters: ArraySlice<String> { fields[4...] }
    }

    public enum Parsed: Sendable, Equatable {
        case entries([Entry])
        /// No line at all (HAProxy: a notice).
        case empty
        /// The first line is not a known version.
        case noVersion
        /// A line with too few or too many fields, or cut: its number, counted
        /// from the line after the version (HAProxy's count).
        case corrupted(line: Int)
    }

    static let minimumFields = 20, maximumFields = 25

    public static func parse(_ text: String) -> Parsed {
        guard !text.isEmpty else { return .empty }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let endsWithNewline = lines.last == ""
        if endsWithNewline { lines.removeLast() }
        guard let first = lines.first, endsWithNewline || lines.count > 1, first == "1" else { return .noVersion }
        var entries: [Entry] = []
        for (n, line) in lines.dropFirst().enumerated() {
            let number = n + 1
            // A last line without its newline is a cut line.
            if !endsWithNewline && number == lines.count - 1 { return .corrupted(line: number) }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.first == "#" { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard (minimumFields...maximumFields).contains(fields.count) else { return .corrupted(line: number) }
            entries.append(Entry(fields: fields))
        }
        return .entries(entries)
    }

    /// The path of a state file: absolute, or under `server-state-base`.
    public static func path(_ name: String, base: String?) -> String {
        guard !name.hasPrefix("/"), let base, !base.isEmpty else { return name }
        return base.hasSuffix("/") ? base + name : base + "/" + name
    }
}
