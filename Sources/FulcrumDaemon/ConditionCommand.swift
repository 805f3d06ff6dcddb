import FulcrumConfig
import FulcrumPosix

/// `fulcrum -cc EXPR`: HAProxy 2.6's exit statuses, so scripts written for
/// `haproxy -cc` read Fulcrum the same way: 0 true, 1 false, 2 when the
/// expression cannot be evaluated (with the reason on stderr).
enum ConditionCommand {
    static func run(_ expression: String, _ options: CommandLineOptions) -> Int32 {
        LocalPeer.export(options.localPeer)
        switch ConfigParser.evaluateCondition(expression, environment: ProcessSpawner.environmentDictionary(),
                                              serverVerifyNone: options.serverVerifyNone) {
        case .success(let value): return value ? 0 : 1
        case .failure(let f):
            printError("[ALERT] config : Failed to evaluate condition: \(f.message)")
            return 2
        }
    }
}
