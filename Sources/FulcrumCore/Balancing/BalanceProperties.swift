import FulcrumConfig

/// What a configured `balance` algorithm is, decided once from the algorithm
/// and the `hash-type` (HAProxy's `lb_ops` and BE_LB_* bits): how the balancer
/// looks a server up, whether weights move at run time, where a hash key comes
/// from, and what a full chosen server does to the request. The balancer, the
/// worker's server choice and the runtime API all read these instead of
/// switching over the algorithm themselves.
public struct BalanceProperties: Sendable, Equatable {
    /// How a server is found (HAProxy's BE_LB_LKUP_*).
    public enum Lookup: Sendable, Equatable {
        /// `roundrobin`: smooth weighted round robin over live weights.
        case smoothRoundRobin
        /// `static-rr`: a walk through the map built from configured weights.
        case staticMapWalk
        /// `leastconn`: fewest connections relative to weight.
        case leastLoaded
        /// `first`: the first server in declaration order below its maxconn.
        case firstAvailable
        /// `hash-type map-based`: `map[key % size]` over configured weights.
        case hashMap
        /// `hash-type consistent`: the nearest point on a ring of live weights.
        case hashRing
        /// `random(draws)`: weighted draws, the least loaded one wins.
        case weightedRandom(draws: Int)
    }

    /// The HTTP request part a hash key is taken from.
    public enum RequestKey: Sendable, Equatable {
        /// `uri [whole] [len N] [depth N]`.
        case uri(whole: Bool, length: Int, depth: Int)
        /// `url_param NAME`: the value of NAME in the query string.
        case urlParam(String)
        /// `hdr(NAME)`: the first value of the header NAME.
        case header(String)
    }

    /// Where a hash key comes from. With no key (no header, no parameter, or
    /// no HTTP request in mode tcp) a hash algorithm falls back to round robin.
    public enum HashKeySource: Sendable, Equatable {
        /// Not a hash algorithm.
        case none
        /// `source`: the client's address.
        case sourceAddress
        /// `uri`, `url_param`, `hdr()`: a part of the HTTP request.
        case request(RequestKey)
    }

    /// What happens to a request whose chosen server is at its maxconn.
    public enum FullServerPolicy: Sendable, Equatable {
        /// The choice skips full servers; only when every server is full does
        /// the request wait in the backend queue.
        case routeAround
        /// The key names the server, so the request waits in the queue for
        /// that server (HAProxy queues it on the server): moving it elsewhere
        /// would break what hashing promises.
        case queue
    }

    /// HAProxy's name of the algorithm, as `show stat` and `show backend` print it.
    public let name: String
    public let lookup: Lookup
    /// Whether live weights apply: runtime `set weight` to any value and the
    /// slowstart weight ramp (HAProxy's BE_LB_PROP_DYN). Static algorithms
    /// take only 0% and 100% at run time.
    public let dynamicWeights: Bool
    public let hashKey: HashKeySource
    /// Applies when a key was found; without one the round-robin fallback
    /// routes around full servers.
    public let fullServer: FullServerPolicy

    public init(algorithm: BalanceAlgorithm, hashType: HashType) {
        switch algorithm {
        case .roundRobin:
            self.init(name: "roundrobin", lookup: .smoothRoundRobin, dynamicWeights: true)
        case .staticRoundRobin:
            self.init(name: "static-rr", lookup: .staticMapWalk, dynamicWeights: false)
        case .leastConn:
            self.init(name: "leastconn", lookup: .leastLoaded, dynamicWeights: true)
        case .first:
            // HAProxy sets BE_LB_PROP_DYN for the first-available tree too,
            // although the choice ignores weights.
            self.init(name: "first", lookup: .firstAvailable, dynamicWeights: true)
        case .random(let draws):
            self.init(name: "random", lookup: .weightedRandom(draws: draws), dynamicWeights: true)
        case .source:
            self.init(hashed: "source", key: .sourceAddress, hashType: hashType)
        case .uri(let whole, let length, let depth):
            self.init(hashed: "uri", key: .request(.uri(whole: whole, length: length, depth: depth)), hashType: hashType)
        case .urlParam(let name):
            self.init(hashed: "url_param", key: .request(.urlParam(name)), hashType: hashType)
        case .header(let name):
            self.init(hashed: "hdr(\(name))", key: .request(.header(name)), hashType: hashType)
        }
    }

    /// A non-hash algorithm: no key, full servers routed around.
    private init(name: String, lookup: Lookup, dynamicWeights: Bool) {
        self.name = name
        self.lookup = lookup
        self.dynamicWeights = dynamicWeights
        hashKey = .none
        fullServer = .routeAround
    }

    /// A hash algorithm: map-based hashing is static, consistent hashing
    /// dynamic (its ring follows live weights), and both queue on the server
    /// the key names.
    private init(hashed name: String, key: HashKeySource, hashType: HashType) {
        self.name = name
        switch hashType.method {
        case .mapBased:
            lookup = .hashMap
            dynamicWeights = false
        case .consistent:
            lookup = .hashRing
            dynamicWeights = true
        }
        hashKey = key
        fullServer = .queue
    }
}
