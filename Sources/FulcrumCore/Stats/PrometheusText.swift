/// A metric value as promex prints it.
enum PrometheusValue: Equatable {
    /// An integer field ("%u"/"%d"/"%llu").
    case integer(Int)
    /// A time kept in milliseconds, printed in seconds as C's "%f" prints a
    /// double (six decimals): promex divides the ms counters by 1000.0.
    case milliseconds(Int)
    /// An empty field, or a string one: Prometheus only takes numbers, so
    /// promex prints "NaN".
    case notANumber

    init(_ field: RuntimeStatValue?) {
        if case .int(let n)? = field { self = .integer(n) } else { self = .notANumber }
    }

    /// The same field read as milliseconds.
    init(milliseconds field: RuntimeStatValue?) {
        if case .int(let n)? = field { self = .milliseconds(n) } else { self = .notANumber }
    }
}

/// The exposition text being built: `# HELP`/`# TYPE` lines, then
/// `name{label="value",...} value` lines.
struct PrometheusText {
    private(set) var text = ""

    init() { text.reserveCapacity(64 * 1024) }

    mutating func header(name prefix: String, _ name: String, help: String, type: PrometheusMetrics.MetricType) {
        text += "# HELP "; text += prefix; text += name; text += " "; text += help
        text += "\n# TYPE "; text += prefix; text += name; text += " "; text += type.rawValue; text += "\n"
    }

    mutating func name(_ prefix: String, _ name: String) {
        text += prefix; text += name
    }

    /// HAProxy writes label values as they are (no escaping).
    mutating func labels(_ labels: [(String, String)]) {
        guard !labels.isEmpty else { return }
        text += "{"
        for (i, label) in labels.enumerated() {
            if i > 0 { text += "," }
            text += label.0; text += "=\""; text += label.1; text += "\""
        }
        text += "}"
    }

    mutating func value(_ value: PrometheusValue) {
        text += " "
        switch value {
        case .integer(let n): text += String(n)
        case .milliseconds(let ms): text += PrometheusText.seconds(milliseconds: ms)
        case .notANumber: text += "NaN"
        }
        text += "\n"
    }

    mutating func value(_ field: RuntimeStatValue?) { value(PrometheusValue(field)) }
    mutating func value(_ n: Int) { value(.integer(n)) }

    /// "1.234000" for 1234 ms, exactly what printf("%f", ms / 1000.0) gives
    /// for whole milliseconds.
    static func seconds(milliseconds ms: Int) -> String {
        let magnitude = ms.magnitude
        let fraction = String(magnitude % 1000)
        let padded = String(repeating: "0", count: 3 - fraction.count) + fraction
        return (ms < 0 ? "-" : "") + String(magnitude / 1000) + "." + padded + "000"
    }
}
