import FulcrumConfig
import FulcrumCore
import FulcrumLog
import FulcrumPosix
import FulcrumTLS

/// A worker's side of the runtime certificate API: the master commits
/// (`commit ssl cert`, `add/del ssl crt-list`, `commit ssl ca-file`) and sends the result on the
/// control channel; this applies it to every `bind ... ssl` of the worker.
/// Certificates are known by name (their path), from the configuration or
/// committed at runtime, so a crt-list line added later finds its PEM here.
final class RuntimeCertificates {
    private let binds: [TLSBindContexts]
    private var chains: [String: TLSCertificateChain] = [:]
    /// PEM parts of a certificate still arriving (`cert more`).
    private var partial: [String: String] = [:]
    /// CA file parts still arriving (`cafile more`).
    private var partialCAs: [String: String] = [:]

    init(binds: [TLSBindContexts?]) {
        self.binds = binds.compactMap { $0 }
        for b in self.binds { chains.merge(b.chains) { first, _ in first } }
    }

    /// Applies a certificate or crt-list message; false for any other message.
    func handle(_ message: ControlMessage) -> Bool {
        switch message {
        case .certificate(let name, let final, let pem):
            partial[name, default: ""] += pem
            guard final, let whole = partial.removeValue(forKey: name) else { return true }
            install(name, pem: whole)
        case .crtListAdd(let list, let line, let text):
            let (parsed, messages) = CrtList.parse(text, path: list, crtBase: nil, caBase: nil)
            guard var entry = parsed.entries.first, !messages.contains(where: \.isError) else {
                Log.warning("runtime crt-list line for '\(list)' not understood")
                return true
            }
            entry.line = line
            guard let chain = chains[entry.path] else {
                Log.warning("runtime crt-list line for '\(list)': no certificate '\(entry.path)'")
                return true
            }
            for b in binds {
                do { try b.add(list: list, entry: entry, chain: chain) } catch { Log.warning(error.message) }
            }
        case .crtListRemove(let list, let line):
            for b in binds { b.remove(list: list, line: line) }
        case .caFile(let name, let final, let pem):
            partialCAs[name, default: ""] += pem
            guard final, let whole = partialCAs.removeValue(forKey: name) else { return true }
            for b in binds {
                do { try b.replaceCAFile(name, pem: Array(whole.utf8)) } catch { Log.warning(error.message) }
            }
        default:
            return false
        }
        return true
    }

    private func install(_ name: String, pem: String) {
        let chain: TLSCertificateChain
        do { chain = try TLSCertificateChain(pem: Array(pem.utf8), path: name) } catch {
            Log.warning("committed certificate '\(name)' does not load: \(error)")
            return
        }
        chains[name] = chain
        for b in binds {
            do { try b.replace(path: name, with: chain) } catch { Log.warning(error.message) }
        }
    }
}
