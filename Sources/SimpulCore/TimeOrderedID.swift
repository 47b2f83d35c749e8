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
        return next(now: now, using: &rng)
    }

    /// The same, with random bits from `rng`: a bulk import seeds a fast generator once
    /// instead of asking the kernel for randomness for every id.
    public mutating func next<R: RandomNumberGenerator>(now: Date = Date(), using rng: inout R) -> UUID {
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
        func byte(_ value: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> shift) }
        return UUID(uuid: (
            byte(millis, 40), byte(millis, 32), byte(millis, 24), byte(millis, 16), byte(millis, 8), byte(millis, 0),
            0x70 | UInt8(sequence >> 8), UInt8(truncatingIfNeeded: sequence),  // version 7, counter
            0x80 | byte(random, 56) & 0x3F,                                      // variant 10
            byte(random, 48), byte(random, 40), byte(random, 32), byte(random, 24), byte(random, 16), byte(random, 8), byte(random, 0)))
    }
}
