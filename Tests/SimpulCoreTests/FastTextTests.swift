import Foundation
import Testing
@testable import SimpulCore

/// The byte-level text routines of the import path agree with the Foundation code they
/// replaced, on random input built from the characters that matter to them.
@Suite("Fast text paths match their Foundation originals")
struct FastTextTests {
    static func randomString(_ alphabet: [String], _ rng: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...14, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
    }

    /// MemberRowValidator.clean as it was, on Foundation.
    static func cleanReference(_ raw: String) -> String {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("'") { text.removeFirst() }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// IndonesianName.coreKey's spelling rules as they were, on Foundation.
    static func coreKeyReference(_ word: String) -> String {
        var s = word.filter { ("a"..."z").contains($0) }
        guard !s.isEmpty else { return s }
        for (from, to) in [("oe", "u"), ("dj", "j"), ("tj", "c"), ("j", "y"), ("sy", "s"), ("sh", "s"),
                           ("chr", "kr"), ("ch", "h"), ("kh", "h"), ("ph", "f"), ("v", "f"),
                           ("dh", "d"), ("th", "t"), ("gh", "g"), ("bh", "b"), ("dz", "z"), ("ts", "s"),
                           ("q", "k"), ("x", "ks"), ("ae", "ai"), ("ie", "i"), ("oo", "u")] {
            s = s.replacingOccurrences(of: from, with: to)
        }
        var c = Array(s.utf8)
        c = IndonesianName.collapseDoubles(c)
        c = IndonesianName.glides(c)
        c = IndonesianName.collapseDoubles(c)
        return String(decoding: c, as: UTF8.self)
    }

    @Test("clean trims, drops a leading apostrophe and collapses spaces exactly as before")
    func cleanMatches() {
        var rng = SplitMix64(seed: 17)
        let alphabet = [" ", "  ", "\t", "\n", "\r\n", "\r", "'", "a", "B", "7", "-", ".", "é", "\u{00A0}"]
        for _ in 0..<20_000 {
            let s = Self.randomString(alphabet, &rng)
            #expect(MemberRowValidator.clean(s) == Self.cleanReference(s), "\(s.debugDescription)")
        }
    }

    @Test("coreKey gives the same key as the Foundation version")
    func coreKeyMatches() {
        var rng = SplitMix64(seed: 29)
        let alphabet = ["a", "e", "i", "o", "u", "d", "j", "t", "s", "y", "h", "c", "r", "k", "p", "v", "g", "b", "z",
                        "q", "x", "n", "w", "m", "oe", "dj", "chr", "ie", "oo", "ae", "-", "É"]
        for _ in 0..<20_000 {
            let s = Self.randomString(alphabet, &rng)
            #expect(IndonesianName.coreKey(s) == Self.coreKeyReference(s), "\(s.debugDescription)")
        }
    }
}
