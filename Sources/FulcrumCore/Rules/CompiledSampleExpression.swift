import FulcrumBytes
import FulcrumConfig

/// `fetch,converter,...` as `set-var` and `set-dst` take it: evaluated to
/// one typed sample (HAProxy's sample_process), stored in a variable or
/// read as an address or a port.
public struct CompiledSampleExpression: Sendable {
    let fetch: HTTPFetch
    let converters: [CompiledConverter]

    public init(_ f: SampleFetch) throws {
        fetch = try HTTPFetch(f)
        converters = try f.converters.map(CompiledConverter.init)
    }

    /// Stores the result in `ref`; a missing sample leaves the variable as
    /// it was (HAProxy's action_store).
    func store(in ref: VariableRef, context: HTTPRuleContext, acls: ACLSet?) {
        guard let variables = context.variables, let sample = SampleFetcher.sample(fetch, context: context, acls: acls) else { return }
        if converters.isEmpty { variables.set(ref, sample); return }
        variables.withScratch { buf in
            guard let v = SampleConversion.run(converters, on: sample, variables: variables, stick: context.stick, out: &buf, mark: 0) else { return }
            variables.set(ref, SampleConversion.sample(v, out: buf, mark: 0))
        }
    }

    /// The result, when it is not bytes or its bytes are copied out: what
    /// `set-dst` and `set-src-port` cast.
    func evaluate(context: HTTPRuleContext, acls: ACLSet?, _ body: (Sample) -> Void) {
        guard let sample = SampleFetcher.sample(fetch, context: context, acls: acls) else { return }
        if converters.isEmpty { body(sample); return }
        var buf: [UInt8] = []
        guard let v = SampleConversion.run(converters, on: sample, variables: context.variables, stick: context.stick, out: &buf, mark: 0) else { return }
        body(SampleConversion.sample(v, out: buf, mark: 0))
    }
}
