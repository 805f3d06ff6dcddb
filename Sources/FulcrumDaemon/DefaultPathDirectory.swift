import Glibc

/// `default-path`: while the loader reads the files a configuration names,
/// relative names start from that directory, as under HAProxy's chdir()
/// while it parses; the working directory is restored afterwards.
struct DefaultPathDirectory {
    private let previous: String?

    /// Moves to `directory` (nil: stays). `error` says why it could not.
    init(_ directory: String?, error: inout String?) {
        guard let directory else { previous = nil; return }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let saved = getcwd(&buffer, buffer.count) != nil ? String(cString: buffer) : nil
        if chdir(directory) != 0 {
            error = "cannot use 'default-path' directory '\(directory)': \(String(cString: strerror(errno)))"
            previous = nil
            return
        }
        previous = saved
    }

    /// Back to where the process was.
    func leave() {
        if let previous { _ = chdir(previous) }
    }
}
