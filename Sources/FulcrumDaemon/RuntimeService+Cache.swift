import FulcrumCore

/// `show cache` (HAProxy 2.6's management guide, 9.3): the caches' shared
/// region is mapped by the master and by every worker, so any of them
/// answers with the same objects. Admin level, as HAProxy checks it.
extension RuntimeService {
    func cacheCommand(_ words: [String], level: Int) -> String? {
        guard words.count >= 2, words[0] == "show", words[1] == "cache" else { return nil }
        guard level >= RuntimeLevel.admin.rawValue else { return "Permission denied\n" + RuntimeCLI.endOfAnswer }
        return (showCache?() ?? "") + RuntimeCLI.endOfAnswer
    }
}
