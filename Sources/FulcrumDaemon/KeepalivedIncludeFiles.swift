import Glibc
import FulcrumConfig
import FulcrumPosix

/// The file system side of keepalived's `include`: the master expands the
/// pattern with glob(3) (relative to the including file's directory, as
/// keepalived does) and reads the files; what it read is recorded, so
/// children parse the very texts the master validated (they are carried in
/// the configuration blob, like the map files).
final class KeepalivedIncludeFiles: @unchecked Sendable {
    /// What each include read, by `key` (children: what the master read).
    private(set) var read: [String: [ConfigSource]] = [:]
    private let recorded: [String: [ConfigSource]]?

    /// `recorded`: the master's reading (children); nil reads the files.
    init(recorded: [String: [ConfigSource]]?) { self.recorded = recorded }

    static func key(pattern: String, includingFile: String) -> String { includingFile + "\u{0}" + pattern }

    var resolver: KeepalivedIncludeResolver {
        { [self] pattern, includingFile in
            let key = Self.key(pattern: pattern, includingFile: includingFile)
            let files = recorded.map { $0[key] ?? [] } ?? Self.readMatches(pattern, relativeTo: includingFile)
            read[key] = files
            return files
        }
    }

    /// The regular files `pattern` matches, in glob(3)'s sorted order.
    static func readMatches(_ pattern: String, relativeTo includingFile: String) -> [ConfigSource] {
        var full = pattern
        if !pattern.hasPrefix("/"), let slash = includingFile.lastIndex(of: "/") {
            full = String(includingFile[...slash]) + pattern
        }
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(full, GLOB_BRACE, nil, &g) == 0 else { return [] }
        var out: [ConfigSource] = []
        for i in 0..<Int(g.gl_pathc) {
            guard let p = g.gl_pathv[i] else { continue }
            let path = String(cString: p)
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
                  let bytes = try? ConfigLoader.readBytes(path) else { continue }
            out.append(ConfigSource(name: path, text: String(decoding: bytes, as: UTF8.self), isFile: true))
        }
        return out
    }
}
