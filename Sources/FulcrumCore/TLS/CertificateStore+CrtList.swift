import FulcrumConfig

/// One line of a crt-list as the runtime API shows and edits it: the
/// certificate, the bracketed options as words, the SNI filters, and its
/// line number (`show ssl crt-list -n`, `del ssl crt-list FILE CERT:LINE`).
public struct CrtListLine: Equatable, Sendable {
    public var certificate: String
    public var options: [String]
    public var filters: [String]
    public var line: Int
    public init(certificate: String, options: [String] = [], filters: [String] = [], line: Int) {
        self.certificate = certificate; self.options = options; self.filters = filters; self.line = line
    }

    /// The words of a crt-list line (`CERT [opts] filters`), brackets as
    /// separators; nil for a line with no certificate.
    public static func parse(_ text: String, line: Int) -> CrtListLine? {
        var words: [String] = [], options: [String] = [], word = ""
        var inOptions = false
        func end() {
            guard !word.isEmpty else { return }
            if inOptions { options.append(word) } else { words.append(word) }
            word = ""
        }
        for ch in text {
            switch ch {
            case " ", "\t", "\r", "\n": end()
            case "[": end(); inOptions = true
            case "]": end(); inOptions = false
            default: word.append(ch)
            }
        }
        end()
        guard let first = words.first else { return nil }
        return CrtListLine(certificate: first, options: options, filters: Array(words.dropFirst()), line: line)
    }

    /// The line as `show ssl crt-list` prints it. HAProxy 2.6 writes the
    /// alpn value with the NUL that ends its string: so does this.
    public func render(numbered: Bool) -> String {
        var out = certificate + (numbered ? ":\(line)" : "")
        if !options.isEmpty {
            var words: [String] = []
            var i = 0
            while i < options.count {
                if options[i] == "alpn", i + 1 < options.count {
                    words.append("alpn " + options[i + 1] + "\u{0}")
                    i += 2
                } else {
                    words.append(options[i])
                    i += 1
                }
            }
            out += " [" + words.joined(separator: " ") + "]"
        }
        for f in filters { out += " " + f }
        return out
    }
}

extension CertificateStore {
    /// `show ssl crt-list [-n] [FILE]`.
    public func showCrtList(_ file: String?, numbered: Bool) -> String {
        guard let file else { return crtLists.keys.sorted(by: CertificateStore.byteOrder).map { $0 + "\n" }.joined() }
        guard let lines = crtLists[file] else { return "didn't find the specified filename\n" }
        return "# \(file)\n" + lines.map { $0.render(numbered: numbered) + "\n" }.joined()
    }

    /// `add ssl crt-list FILE CERT` or with the line as payload.
    public mutating func addCrtList(_ file: String?, certificate: String?, payload: String?) -> Reply {
        let prefix = "Can't edit the crt-list: "
        let text = payload.map { $0.split(separator: "\n").first.map(String.init) ?? "" } ?? certificate
        guard let file, let text, var entry = CrtListLine.parse(text, line: 0) else {
            return Reply("'add ssl crtlist' expects a filename and a certificate name\n")
        }
        guard var lines = crtLists[file] else { return Reply(prefix + "crt-list '\(file)' does not exist!\n") }
        // The options must be ones a crt-list accepts.
        let (_, messages) = CrtList.parse(text, path: file, crtBase: nil, caBase: nil)
        if let error = messages.first(where: \.isError) { return Reply(prefix + error.text + "\n") }
        guard let stored = certificates[entry.certificate] else {
            return Reply(prefix + "certificate '\(entry.certificate)' does not exist!\n")
        }
        guard stored.pem != nil else { return Reply(prefix + "certificate '\(entry.certificate)' is empty!\n") }
        entry.line = (lines.map(\.line).max() ?? 0) + 1
        lines.append(entry)
        crtLists[file] = lines
        let binds = crtListBinds[file] ?? 0
        instances[entry.certificate, default: 0] += binds
        let dots = String(repeating: ".", count: binds)
        return Reply("Inserting certificate '\(entry.certificate)' in crt-list '\(file)'\(dots)\nSuccess!\n",
                     effect: .crtListAdd(list: file, line: entry))
    }

    /// `del ssl crt-list FILE CERT[:LINE]`.
    public mutating func deleteCrtList(_ file: String?, entry spec: String?) -> Reply {
        let prefix = "Can't delete the entry: "
        guard let file, var name = spec else {
            return Reply("'del ssl crt-list' expects a filename and a certificate name\n")
        }
        var wanted: Int? = nil
        if let colon = name.lastIndex(of: ":"), let n = Int(name[name.index(after: colon)...]) {
            wanted = n
            name = String(name[..<colon])
        }
        guard var lines = crtLists[file] else { return Reply(prefix + "crt-list '\(file)' does not exist!\n") }
        guard let stored = certificates[name] else { return Reply(prefix + "certificate '\(name)' does not exist!\n") }
        guard stored.pem != nil else { return Reply(prefix + "certificate '\(name)' is empty!\n") }
        let all = lines.filter { $0.certificate == name }
        let matches = all.filter { wanted == nil || $0.line == wanted }
        let numbers = all.map { String($0.line) }.joined(separator: ", ")
        guard let victim = matches.first else {
            guard all.isEmpty else {
                return Reply(prefix + "found a certificate '\(name)' but the line number is incorrect, please specify a correct line number preceded by colons (\(numbers))!\n")
            }
            return Reply(prefix + "certificate '\(name)' can't be found in crt-list '\(file)'!\n")
        }
        if matches.count > 1 {
            return Reply(prefix + "found the certificate '\(name)' in several entries, please specify a line number preceded by colons (\(numbers))!\n")
        }
        lines.removeAll { $0.line == victim.line }
        crtLists[file] = lines
        instances[name] = max(0, (instances[name] ?? 0) - (crtListBinds[file] ?? 0))
        return Reply("Entry '\(name)' deleted in crtlist '\(file)'!\n", effect: .crtListRemove(list: file, line: victim.line))
    }

    /// strcmp's order, the order of HAProxy's trees.
    static func byteOrder(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
}
