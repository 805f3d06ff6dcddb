/// How keepalived turns a tracked object's state into an instance's
/// priority: with no weight a failure faults the instance; a positive weight
/// is added while the object is fine, a negative one while it fails;
/// `reverse` swaps the two. Pure, so the rule is tested on its own.
enum VRRPTrackWeight {
    struct Effect: Equatable { var fault: Bool; var adjustment: Int }

    static func effect(ok: Bool, weight: Int?, reverse: Bool) -> Effect {
        guard let weight, weight != 0 else { return Effect(fault: reverse ? ok : !ok, adjustment: 0) }
        let counts = weight > 0 ? ok : !ok
        return Effect(fault: false, adjustment: (counts != reverse) ? weight : 0)
    }
}
