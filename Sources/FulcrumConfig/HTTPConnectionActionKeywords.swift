/// `http-request` actions on the connection and the URI: `set-src`,
/// `set-src-port`, `set-dst`, `set-dst-port` and `normalize-uri` (manual 4.2).
extension ParseSession {
    /// `set-src|set-src-port|set-dst|set-dst-port EXPR`.
    mutating func setAddressAction(_ actionWord: Word, _ args: [Word], display: String, at: (Word) -> SourceLocation) -> HTTPRequestAction? {
        guard let w = soleActionArgument(actionWord, args, display: display, missing: "expects a sample expression as an argument",
                                         at: at) else { return nil }
        switch LogFormatParsing.sample(w.text) {
        case .failure(let f):
            alert(at(w), "error detected while parsing '\(display)' rule : \(f.message)")
            return nil
        case .success(let fetch):
            guard registerMaps(fetch.converters, location: at(w)) else { return nil }
            return .setAddress(ConnectionAddressField(rawValue: actionWord.text)!, fetch)
        }
    }

    /// `normalize-uri NORMALIZER [full|strict]` (HAProxy 2.6's list).
    mutating func normalizeURIAction(_ actionWord: Word, _ args: [Word], display: String, at: (Word) -> SourceLocation) -> URINormalizer? {
        guard global.exposeExperimentalDirectives else {
            alert(at(actionWord), "'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'")
            return nil
        }
        let names = ["fragment-encode", "fragment-strip", "path-merge-slashes", "path-strip-dot", "path-strip-dotdot",
                     "percent-decode-unreserved", "percent-to-uppercase", "query-sort-by-name"]
        guard let w = args.first else {
            alert(at(actionWord), "'\(display)' expects a normalizer name (\(names.joined(separator: ", ")))")
            return nil
        }
        let option = args.count > 1 ? args[1] : nil
        func noOption() -> Bool {
            guard let option else { return true }
            alert(at(option), "'\(display) \(w.text)' : unexpected argument '\(option.text)'")
            return false
        }
        func flag(_ name: String) -> Bool? {
            guard let option else { return false }
            guard option.text == name, args.count == 2 else {
                alert(at(option), "'\(display) \(w.text)' : unexpected argument '\(option.text)' (expected '\(name)')")
                return nil
            }
            return true
        }
        switch w.text {
        case "fragment-encode": return noOption() ? .fragmentEncode : nil
        case "fragment-strip": return noOption() ? .fragmentStrip : nil
        case "path-merge-slashes": return noOption() ? .pathMergeSlashes : nil
        case "path-strip-dot": return noOption() ? .pathStripDot : nil
        case "query-sort-by-name": return noOption() ? .querySortByName : nil
        case "path-strip-dotdot": return flag("full").map { .pathStripDotDot(full: $0) }
        case "percent-decode-unreserved": return flag("strict").map { .percentDecodeUnreserved(strict: $0) }
        case "percent-to-uppercase": return flag("strict").map { .percentToUppercase(strict: $0) }
        default:
            alert(at(w), "'\(display)' : unknown normalizer '\(w.text)'" + hint(w.text, names))
            return nil
        }
    }
}
