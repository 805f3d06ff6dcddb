import Foundation
import Glibc

/// What wrk counted itself at the end of a run: the load generator's own view
/// of failures, independent of anything the daemon under test reports.
struct WrkResult: CustomStringConvertible {
    var requests: Int
    var connectErrors = 0
    var readErrors = 0
    var writeErrors = 0
    var timeouts = 0
    /// wrk's "Non-2xx or 3xx responses".
    var badStatuses = 0
    /// The whole summary, for failure messages.
    var output: String

    var socketErrors: Int { connectErrors + readErrors + writeErrors + timeouts }

    var description: String {
        "\(requests) requests, socket errors: connect \(connectErrors) read \(readErrors) write \(writeErrors) "
            + "timeout \(timeouts), non-2xx/3xx \(badStatuses)"
    }

    /// Parses wrk's summary; nil when the "N requests in" line is missing
    /// (wrk failed to run). The error lines only appear when non-zero.
    static func parse(_ text: String) -> WrkResult? {
        var result: WrkResult?
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.contains(" requests in "), let n = Int(line.split(separator: " ")[0]) {
                result = WrkResult(requests: n, output: text)
            } else if line.hasPrefix("Socket errors:") {
                // "Socket errors: connect 0, read 12, write 0, timeout 0"
                let words = line.dropFirst("Socket errors:".count).split(whereSeparator: { $0 == " " || $0 == "," })
                var i = 0
                while i + 1 < words.count {
                    let value = Int(words[i + 1]) ?? 0
                    switch words[i] {
                    case "connect": result?.connectErrors = value
                    case "read": result?.readErrors = value
                    case "write": result?.writeErrors = value
                    case "timeout": result?.timeouts = value
                    default: break
                    }
                    i += 2
                }
            } else if line.hasPrefix("Non-2xx or 3xx responses:") {
                result?.badStatuses = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? -1
            }
        }
        return result
    }
}

/// wrk running in the background while a test does something else (reloads),
/// with its output in a temporary directory.
final class WrkRun {
    private let directory: TemporaryDirectory
    private let child: ChildProcess
    let duration: Int

    /// Starts `wrk -t threads -c connections -d durations` on `url`; each
    /// `header` is passed with -H (e.g. "Connection: close" for one TCP
    /// connection per request).
    init(url: String, connections: Int, threads: Int = 2, duration: Int, headers: [String] = []) throws {
        let wrk = try requireTool("wrk")
        directory = try TemporaryDirectory(prefix: "fwrk")
        self.duration = duration
        var arguments = ["-t", String(min(threads, connections)), "-c", String(connections), "-d", "\(duration)s",
                         "--timeout", "5s"]
        for h in headers { arguments += ["-H", h] }
        arguments.append(url)
        child = try ChildProcess(executable: wrk, arguments: arguments, environment: Tools.currentEnvironment(),
                                 stdoutPath: directory.file("stdout"), stderrPath: directory.file("stderr"))
    }

    deinit { if child.isRunning { child.terminateTree(grace: 0.5) } }

    var isRunning: Bool { child.isRunning }

    /// Waits for wrk to finish (its duration plus `slack` seconds) and parses
    /// its summary; throws with its output when it fails or cannot be parsed.
    func finish(slack: Double = 15) throws -> WrkResult {
        guard let status = child.wait(timeout: Double(duration) + slack) else {
            child.terminateTree(grace: 0.5)
            throw HarnessError.timeout("wrk within \(Double(duration) + slack) s")
        }
        let out = FileBytes.readText(directory.file("stdout")) ?? ""
        let err = FileBytes.readText(directory.file("stderr")) ?? ""
        guard status == .exited(0), let result = WrkResult.parse(out) else {
            throw HarnessError.failed("wrk \(status): \(out)\n\(err)")
        }
        return result
    }
}
