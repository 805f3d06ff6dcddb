/// `show stat` CSV parsed into rows keyed by "proxy/service", each a map
/// from column name to its text ("" for an empty column), for comparing
/// two proxies' counters column by column.
struct StatsTable {
    let columns: [String]
    let rows: [String: [String: String]]
    /// Row keys in the order printed.
    let order: [String]

    init(csv: String) throws {
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first, header.hasPrefix("# ") else {
            throw HarnessError.failed("show stat: no CSV header in \(csv.prefix(200))")
        }
        columns = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var rows: [String: [String: String]] = [:]
        var order: [String] = []
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var row: [String: String] = [:]
            for (i, name) in columns.enumerated() where i < cells.count { row[name] = cells[i] }
            let key = "\(row["pxname"] ?? "")/\(row["svname"] ?? "")"
            rows[key] = row
            order.append(key)
        }
        self.rows = rows
        self.order = order
    }

    func int(_ key: String, _ column: String) -> Int? { rows[key]?[column].flatMap { Int($0) } }

    /// The standard columns (before HAProxy's "-" separator) that hold a value in `key`'s row.
    func filled(_ key: String) -> Set<String> {
        let standard = columns.prefix { $0 != "-" }
        return Set(standard.filter { !(rows[key]?[$0] ?? "").isEmpty })
    }
}

/// `show info` parsed into "Name" → value.
func parseShowInfo(_ text: String) -> [String: String] {
    var out: [String: String] = [:]
    for line in text.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        out[String(line[..<colon])] = String(line[line.index(after: colon)...].drop { $0 == " " })
    }
    return out
}
