import Glibc

/// Finding external programs and reading the test process's environment.
enum Tools {
    /// PATH entries, with the system directories a root CI shell may lack.
    static var searchPath: [String] {
        let path = getenv("PATH").map { String(cString: $0) } ?? ""
        var entries = path.split(separator: ":").map(String.init)
        for extra in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        where !entries.contains(extra) {
            entries.append(extra)
        }
        return entries
    }

    /// Absolute path of `name`, or nil when it is not installed. A name with a
    /// slash is taken as a path.
    static func find(_ name: String) -> String? {
        if name.contains("/") { return isExecutableFile(name) ? name : nil }
        return searchPath.lazy.map { "\($0)/\(name)" }.first(where: isExecutableFile)
    }

    static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        var count = 0
        while let pointer = entry.pointee, count < 100_000 {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
            count += 1
        }
        return result
    }

    /// A regular file we may execute (not a directory named like the tool).
    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }
}
