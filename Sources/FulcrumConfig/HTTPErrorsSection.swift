/// `http-errors NAME` sections (named sets of `errorfile CODE FILE`), the
/// `errorfiles NAME [CODE...]` keyword that imports them into a proxy, and
/// `errorloc`/`errorloc302`/`errorloc303 CODE URL`, which answer an error
/// with a redirect. As in HAProxy, a section may be declared after the
/// proxies that use it: references are resolved once every file is read.
struct HTTPErrorsSection: Sendable {
    var name: String
    var location: SourceLocation
    var files: [Int: String] = [:]
}

extension ParseSession {
    mutating func openHTTPErrors(_ words: [Word], at: (Word) -> SourceLocation) {
        guard words.count >= 2, !words[1].text.isEmpty else {
            alert(at(words[0]), "missing name for http-errors section.")
            current = .skipped("http-errors")
            return
        }
        let name = words[1].text
        if let previous = httpErrors.first(where: { $0.name == name }) {
            alert(at(words[0]), "http-errors section '\(name)' already exists (declared at \(previous.location.file):\(previous.location.line)).")
            current = .skipped("http-errors")
            return
        }
        for extra in words.dropFirst(2) { alert(at(extra), "unexpected argument '\(extra.text)' for 'http-errors \(name)'") }
        httpErrors.append(HTTPErrorsSection(name: name, location: at(words[0])))
        current = .httpErrors(httpErrors.count - 1)
    }

    mutating func httpErrorsKeyword(_ words: [Word], section index: Int, at: (Word) -> SourceLocation) {
        guard words[0].text == "errorfile" else {
            alert(at(words[0]), "unknown keyword '\(words[0].text)' in 'http-errors' section")
            return
        }
        guard words.count == 3, !words[2].text.isEmpty else {
            alert(at(words[0]), "errorfile: expects <status_code> and <file> as arguments.")
            return
        }
        guard let status = Int(words[1].text), Self.errorStatuses.contains(status) else {
            alert(at(words[1]), "errorfile : status code '\(words[1].text)' not handled.")
            return
        }
        httpErrors[index].files[status] = words[2].text
    }

    /// `errorfiles NAME [CODE...]` in a proxy or defaults section.
    mutating func errorfilesKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 2, !words[1].text.isEmpty else {
            alert(at(words[0]), "errorfiles : expects <name> as argument.")
            return
        }
        var codes: [Int] = []
        for w in words.dropFirst(2) {
            guard let status = Int(w.text), Self.errorStatuses.contains(status) else {
                alert(at(w), "errorfiles : status code '\(w.text)' not handled.")
                return
            }
            codes.append(status)
        }
        drafts[index].settings.http.errorFileSections.append(
            ErrorFilesReference(section: words[1].text, codes: codes, location: at(words[0])))
    }

    /// `errorloc CODE URL` (302), `errorloc302`, `errorloc303`.
    mutating func errorlocKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        guard words.count >= 3 else {
            alert(at(words[0]), "\(keyword) : expects <status_code> and <url> as arguments.")
            return
        }
        guard let status = Int(words[1].text), Self.errorStatuses.contains(status) else {
            alert(at(words[1]), "\(keyword) : status code '\(words[1].text)' not handled.")
            return
        }
        let redirect = ErrorRedirect(code: keyword == "errorloc303" ? 303 : 302, location: words[2].text)
        drafts[index].settings.http.errorFiles[status] = nil
        drafts[index].settings.http.errorResponses[status] = nil
        drafts[index].settings.http.errorRedirects[status] = redirect
    }

    /// Fills a proxy's error pages from the `http-errors` sections it names:
    /// a status the proxy answers itself (errorfile, errorloc, http-error) keeps its own.
    mutating func resolveErrorFiles(_ http: inout HTTPProxySettings, proxy label: String) {
        for ref in http.errorFileSections {
            guard let section = httpErrors.first(where: { $0.name == ref.section }) else {
                alert(ref.location, "\(label): unknown http-errors section '\(ref.section)'.")
                continue
            }
            for code in ref.codes where section.files[code] == nil {
                warning(ref.location, "\(label) : status '\(code)' not declared in http-errors section '\(ref.section)'.")
            }
            for (code, path) in section.files where ref.codes.isEmpty || ref.codes.contains(code) {
                if http.errorFiles[code] == nil && http.errorResponses[code] == nil && http.errorRedirects[code] == nil {
                    http.errorFiles[code] = path
                }
            }
        }
        http.errorFileSections = []
    }
}
