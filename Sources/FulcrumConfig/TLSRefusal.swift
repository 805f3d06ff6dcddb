/// Until the worker serves TLS, every TLS keyword is refused at load, each
/// at its own file:line:column: a TLS setting accepted and then not served
/// would be a listener answering in clear text, or a server spoken to in
/// clear text. The model is still built (tests and the wiring read it).
/// The wiring turns this off by parsing with `servingTLS: true`.
extension ParseSession {
    mutating func refuseUnservedTLS() {
        guard !servesTLS else { return }
        var seen = Set<SourceLocation>()
        for use in tlsUses where seen.insert(use.location).inserted {
            alert(use.location, "'\(use.keyword)' is parsed but TLS is not supported yet (the workers do not serve it)")
        }
    }
}
