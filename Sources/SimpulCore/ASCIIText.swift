import Foundation

/// Byte-level shortcuts for the plain-ASCII cells that make up nearly every imported row.
/// Each falls back to the Foundation/Character path for anything else, so the result is
/// the same; they exist because Character and CharacterSet work per cell showed up as a
/// third of a million-row import's CPU profile.
extension String {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, without work when the ends are
    /// already plain ASCII that is not a space.
    var trimmedWhitespace: String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        if first < 0x80, last < 0x80, !first.isASCIISpace, !last.isASCIISpace { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The ASCII digits of the string with `dropped` bytes (e.g. spaces, dots) left out;
    /// nil when anything else is in it or the string is not plain ASCII.
    func asciiDigits(dropping dropped: (UInt8) -> Bool) -> String? {
        var digits: [UInt8] = []
        digits.reserveCapacity(utf8.count)
        for b in utf8 {
            if b >= 0x30 && b <= 0x39 { digits.append(b) } else if !dropped(b) { return nil }
        }
        return String(decoding: digits, as: UTF8.self)
    }
}

extension UInt8 {
    var isASCIISpace: Bool { self == 0x20 || (0x09...0x0D).contains(self) }
    var isASCIILetter: Bool { (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) }
}
