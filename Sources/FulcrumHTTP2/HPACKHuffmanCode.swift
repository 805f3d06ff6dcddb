/// The Huffman code of RFC 7541 Appendix B. The appendix's code is
/// canonical: within one length, codes rise with the symbol, and each
/// length's first code follows the previous length's last. So the table is
/// kept as what the appendix cannot derive, the length of each symbol's
/// code, and the codes are computed from it; the tests check computed codes
/// against the appendix's hex column and that the lengths form a complete
/// prefix code (Kraft sum exactly 1).
enum HPACKHuffmanCode {
    /// The symbol that ends a string; never encoded, an error when decoded.
    static let eos = 256

    /// Code lengths in bits for symbols 0...255 and EOS (256), sixteen a line.
    static let lengths: [UInt8] = [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,  //   0
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,  //  16
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,          //  32 ' '
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,               //  48 '0'
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,                 //  64 '@'
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,              //  80 'P'
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,                 //  96 '`'
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,             // 112 'p'
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,  // 128
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,  // 144
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,  // 160
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,  // 176
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,  // 192
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,  // 208
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,  // 224
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,  // 240
        30,                                                              // EOS
    ]

    /// Each symbol's code, right-aligned, assigned canonically from `lengths`.
    static let codes: [UInt32] = {
        let order = (0...eos).sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        var codes = [UInt32](repeating: 0, count: eos + 1)
        var code: UInt32 = 0, length = lengths[order[0]]
        for (n, symbol) in order.enumerated() {
            if n > 0 {
                code += 1
                code <<= UInt32(lengths[symbol] - length)
                length = lengths[symbol]
            }
            codes[symbol] = code
        }
        return codes
    }()

    /// The decoder's transitions: the code tree's 256 inner nodes are its
    /// states, and each (state, 4 input bits) pair has one entry, so a
    /// byte decodes in two lookups instead of a walk of up to 30 bits. A
    /// nibble ends at most one symbol (the shortest code has 5 bits).
    /// Entry bits: 0-7 next state, 8-15 symbol, 16 a symbol was ended,
    /// 17 EOS was reached (an error).
    static let transitions: [UInt32] = {
        let tree = codeTree()
        var table = [UInt32](repeating: 0, count: 256 * 16)
        for state in 0..<256 {
            for nibble in 0..<16 {
                var node = state, entry: UInt32 = 0
                for bit in stride(from: 3, through: 0, by: -1) {
                    let child = Int(tree[node * 2 + ((nibble >> bit) & 1)])
                    if child >= 0 {
                        node = child
                        continue
                    }
                    let symbol = -child - 1
                    if symbol == eos {
                        entry |= 1 << 17
                        break
                    }
                    entry |= 1 << 16 | UInt32(symbol) << 8
                    node = 0
                }
                table[state * 16 + nibble] = entry | UInt32(node)
            }
        }
        return table
    }()

    /// States where a string may end: the bits since the last symbol are
    /// the start of EOS (all ones) and fewer than 8 (§5.2). They are the
    /// root and the first seven nodes down the all-ones path.
    static let accepting: [Bool] = {
        let tree = codeTree()
        var accepting = [Bool](repeating: false, count: 256)
        var node = 0
        for _ in 0..<8 {
            accepting[node] = true
            node = Int(tree[node * 2 + 1])
        }
        return accepting
    }()

    /// The code tree as child pairs: entry 2n is node n's 0-child and 2n+1
    /// its 1-child; a child >= 0 is an inner node, -(symbol + 1) a leaf.
    /// Node 0 is the root; a complete code of 257 symbols has 256 inner nodes.
    private static func codeTree() -> [Int16] {
        var children = [Int16](repeating: Int16.min, count: 2)
        for symbol in 0...eos {
            let length = Int(lengths[symbol]), code = codes[symbol]
            var node = 0
            for position in stride(from: length - 1, through: 0, by: -1) {
                let slot = node * 2 + Int((code >> UInt32(position)) & 1)
                if position == 0 {
                    precondition(children[slot] == Int16.min, "HPACK Huffman table is not a prefix code")
                    children[slot] = Int16(-symbol - 1)
                } else {
                    if children[slot] == Int16.min {
                        children[slot] = Int16(children.count / 2)
                        children += [Int16.min, Int16.min]
                    }
                    precondition(children[slot] >= 0, "HPACK Huffman table is not a prefix code")
                    node = Int(children[slot])
                }
            }
        }
        precondition(children.count == 512 && !children.contains(Int16.min), "HPACK Huffman table is not complete")
        return children
    }
}
