/// `http-request use-service NAME [if|unless COND]`, worded as HAProxy 2.6
/// words its errors (action_http_req_use_service() and the rule parser).
extension ParseSession {
    /// `args` are the words between the action and its condition.
    mutating func useService(_ args: [Word], action: Word, draft index: Int,
                             at: (Word) -> SourceLocation) -> HTTPRequestService? {
        let label = drafts[index].haproxyLabel
        func fail(_ w: Word, _ message: String) -> HTTPRequestService? {
            alert(at(w), "error detected in \(label) while parsing 'http-request use-service' rule : \(message).")
            return nil
        }
        guard let name = args.first else { return fail(action, "'use-service' expects a service name.") }
        guard let service = HTTPRequestService(rawValue: name.text) else { return fail(name, "'\(name.text)' unknown service name.") }
        if args.count > 1 {
            alert(at(args[1]), "'http-request use-service' expects either 'if' or 'unless' followed by a condition but found '\(args[1].text)'.")
            return nil
        }
        return service
    }
}
