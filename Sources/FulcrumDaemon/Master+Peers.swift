import FulcrumCore

extension Master {
    /// `show peers`: the serving generation's peers process holds the
    /// sessions, so it answers (forwarded like `@N` commands); without
    /// one, HAProxy's answer for a configuration with no peers is empty.
    func peersCommand(_ command: String, level: Int, in g: Generation, server: Int, ticket: CLIServer.Ticket, master: Bool) -> String?? {
        var text = String(command.drop { $0 == " " })
        if master, text.hasPrefix("@") {
            // `@N show peers`: worker N's peers are the peers process's.
            let parts = text.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            text = String(parts[1])
        }
        let words = RuntimeCommandLine.words(text)
        guard words.count >= 2, words[0] == "show", words[1] == "peers" else { return nil }
        guard let i = g.roles.firstIndex(of: .peers), g.children[i] != nil else {
            let c = g.loaded.configuration
            if words.count > 2, let name = words.last, name != "dict", name != "-", !c.peers.contains(where: { $0.name == name }) {
                return .some("No such peers\n" + RuntimeCLI.endOfAnswer)
            }
            return .some(RuntimeCLI.endOfAnswer)
        }
        if let failure = forward(text, to: g, child: i, server: server, ticket: ticket, level: level) {
            return .some(failure + RuntimeCLI.endOfAnswer)
        }
        return .some(nil)
    }
}
