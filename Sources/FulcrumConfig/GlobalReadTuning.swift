/// `tune.recv_enough` and `tune.idle-pool.shared`, read as HAProxy 2.6 reads
/// them and acted on in Fulcrum's model:
/// - `tune.recv_enough N`: HAProxy ends a run of reads on a short read of at
///   least N bytes (default 10136) and tries once more after a smaller one.
///   Fulcrum's workers (edge-triggered epoll, which reports any later
///   arrival) end a run on any short read by default, saving that extra
///   read; with the keyword set, a TCP stream's short read smaller than N
///   reads again, as in HAProxy (docs/differences.md).
/// - `tune.idle-pool.shared on|off`: HAProxy's threads share their idle
///   server connections (on, the default). A Fulcrum worker is a process and
///   keeps its own pool, which is what `off` asks; `on` is accepted with a
///   notice saying the pools stay per worker.
extension ParseSession {
    mutating func readTuningKeyword(_ words: [Word], at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let loc = at(words[0])
        guard words.count >= 2 else {
            alert(loc, keyword == "tune.recv_enough" ? "'\(keyword)' expects an integer argument."
                                                     : "'\(keyword)' expects either 'on' or 'off' but got ''.")
            return
        }
        if let extra = words.dropFirst(2).first {
            alert(at(extra), "'\(keyword)' cannot handle unexpected argument '\(extra.text)'.")
            return
        }
        let value = words[1].text
        if keyword == "tune.recv_enough" {
            guard let n = Int(value), n >= 0 else {
                alert(at(words[1]), "'\(keyword)' expects an integer argument.")
                return
            }
            global.recvEnough = n
            return
        }
        switch value {
        case "on":
            notice(loc, "'tune.idle-pool.shared on': each Fulcrum worker is a process with its own idle server connections; they are not shared between workers (as with 'off')")
        case "off":
            break
        default:
            alert(at(words[1]), "'\(keyword)' expects either 'on' or 'off' but got '\(value)'.")
        }
    }
}
