import SRSIO

/// The pieces of one player batch as the RTMP and HTTP-FLV framers build them: headers and
/// small payloads written in place into one store (a steady batch is one contiguous piece),
/// larger payloads borrowed from the shared messages (owner nil, `MediaFramer`). Only the last
/// store piece owns the store: pieces are written in order, so the store lives until all of
/// its bytes are written, at one reference count per batch.
struct BatchPieces {
    private let store: ByteStore
    /// Where the next in-place bytes go; `advance` after writing there.
    private(set) var cursor: UnsafeMutableRawPointer
    /// The store bytes not yet in a piece start here.
    private var runStart: UnsafeMutableRawPointer
    private var lastStorePiece = -1
    private var pieces: [OutboundPiece]

    /// A store of `storeRoom` bytes (the most the batch writes in place), after `leading`
    /// pieces (a session's pending control output), with room for `borrowed` borrowed pieces.
    init(storeRoom: Int, leading: [OutboundPiece] = [], borrowed: Int) {
        store = ByteStore(uninitializedCount: storeRoom)
        cursor = store.pointer
        runStart = cursor
        pieces = leading
        pieces.reserveCapacity(leading.count + borrowed * 2 + 1)
    }

    /// Counts `count` bytes written at `cursor`.
    mutating func advance(_ count: Int) { cursor += count }

    /// Copies `count` bytes from `base` in place.
    mutating func copy(_ base: UnsafeRawPointer, count: Int) {
        cursor.copyMemory(from: base, byteCount: count)
        cursor += count
    }

    /// Adds a piece that borrows `count` bytes at `base` from a message of the batch.
    mutating func borrow(_ base: UnsafeRawPointer, count: Int) {
        closeRun()
        pieces.append(OutboundPiece(base: base, count: count, owner: nil))
    }

    /// The pieces, the last store piece owning the store.
    mutating func finish() -> [OutboundPiece] {
        closeRun()
        if lastStorePiece >= 0 { pieces[lastStorePiece].owner = store }
        return pieces
    }

    private mutating func closeRun() {
        guard cursor > runStart else { return }
        lastStorePiece = pieces.count
        pieces.append(OutboundPiece(base: runStart, count: cursor - runStart, owner: nil))
        runStart = cursor
    }
}
