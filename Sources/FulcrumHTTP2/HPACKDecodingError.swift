/// Why a header block could not be decoded (RFC 7541). Every case ends the
/// connection with COMPRESSION_ERROR (RFC 9113 §4.3): once one block fails,
/// the two ends' dynamic tables may disagree, so no later block can be
/// trusted either. The cases are kept apart for logs and tests.
public enum HPACKDecodingError: Error, Equatable, Sendable {
    /// The block ended inside a representation (an integer, a string).
    case truncated
    /// An integer larger than any table index or length this decoder takes
    /// (a run of continuation bytes is otherwise unbounded).
    case integerOverflow
    /// Index 0 is not a table entry (§6.1).
    case indexZero
    /// An index past the static and dynamic tables (§2.3.3).
    case indexOutOfRange(Int)
    /// Huffman padding longer than 7 bits or not all ones (§5.2).
    case huffmanPadding
    /// The EOS symbol inside a Huffman string (§5.2).
    case huffmanEOS
    /// A dynamic table size update after a field (§4.2).
    case sizeUpdateNotAtStart
    /// A dynamic table size update above SETTINGS_HEADER_TABLE_SIZE (§6.3).
    case sizeUpdateAboveLimit(Int)
    /// The limit was lowered below the table's size and the block did not
    /// start by acknowledging it with a size update (§4.2).
    case sizeUpdateMissing
    /// The decoded fields exceed the list size this decoder accepts
    /// (names + values + 32 per field, as SETTINGS_MAX_HEADER_LIST_SIZE):
    /// a small block of indexed references can otherwise expand without
    /// bound.
    case headerListTooLarge

    /// The connection error this becomes (RFC 9113 §4.3).
    public var http2ErrorCode: HTTP2ErrorCode { .compressionError }
}
