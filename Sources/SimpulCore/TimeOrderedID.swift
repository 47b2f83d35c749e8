import Foundation

/// UUID version 7 (RFC 9562): 48 bits of Unix time in milliseconds, then random bits.
/// Rows created one after another get ids that sort after each other, so a bulk insert
/// appends to the primary-key index instead of touching a random page of it per row (a
/// million-member import keeps three such indexes: people, memberships, name tokens).
/// Sorted as text (SQLite stores UUIDs as upper-case hex) or as bytes (PostgreSQL), the
/// order is the same.
public struct TimeOrderedID: Sendable {
    private var lastMillis: UInt64 = 0
    private var sequence: UInt16 = 0

    public init() {}

    /// The next id; within one millisecond a 12-bit counter keeps the order.
    public mutating func next(now: Date = Date()) -> UUID {
        var rng = SystemRandomNumberGenerator()
        var millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        if millis <= lastMillis {
            millis = lastMillis
            sequence &+= 1
            if sequence > 0x0FFF { millis += 1; sequence = 0 }
        } else {
            sequence = UInt16.random(in: 0...0x01FF, using: &rng)
        }
        lastMillis = millis
        let random = rng.next() as UInt64
        var b = [UInt8](repeating: 0, count: 16)
        for k in 0..<6 { b[k] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - k))) }
        b[6] = 0x70 | UInt8(sequence >> 8)          // version 7, counter high bits
        b[7] = UInt8(truncatingIfNeeded: sequence)
        b[8] = 0x80 | UInt8(truncatingIfNeeded: random >> 56) & 0x3F  // variant 10
        for k in 9..<16 { b[k] = UInt8(truncatingIfNeeded: random >> (8 * (15 - k))) }
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}
