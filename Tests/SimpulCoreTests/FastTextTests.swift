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

    /// nameProblem as it was, on Characters.
    static func nameProblemReference(_ name: String) -> String? {
        if name.contains(where: \.isASCIIDigit) { return "Nama lengkap tidak boleh berisi angka." }
        if let odd = name.first(where: { !($0.isLetter || $0 == " " || ".,'’`-()".contains($0)) }) {
            return "Nama lengkap berisi tanda yang tidak lazim (\"\(odd)\")."
        }
        if name.filter(\.isLetter).count < 2 { return "Nama lengkap terlalu pendek." }
        if name.count > 100 { return "Nama lengkap paling panjang 100 karakter (terisi \(name.count))." }
        return nil
    }

    @Test("the byte paths for names, NIK, RT/RW, phone, village codes and trimming agree with the Character paths")
    func rowCheckPathsMatch() {
        var rng = SplitMix64(seed: 41)
        let alphabet = [" ", "\t", "a", "Z", "é", "’", "7", "0", "3", ".", "-", "(", ")", "+", "/", "!", "\u{00A0}", "rt", "RW", "'"]
        for _ in 0..<20_000 {
            let s = Self.randomString(alphabet, &rng)
            #expect(s.trimmedWhitespace == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.debugDescription)")
            #expect(MemberRowValidator.nameProblem(s) == Self.nameProblemReference(s), "\(s.debugDescription)")
            let kept = s.filter { !($0.isWhitespace || $0 == "." || $0 == "-") }
            let nikReference: Result<String, NIKError> = kept.isEmpty ? .failure(.empty)
                : kept.first(where: { !$0.isASCIIDigit }).map { .failure(.nonDigit($0)) }
                ?? (kept.count == 16 ? .success(kept) : .failure(.wrongLength(kept.count)))
            let nik: Result<String, NIKError> = Result { () throws(NIKError) in try NIK.normalize(s) }
            #expect(nik == nikReference, "\(s.debugDescription)")
        }
        #expect((try? NIK.normalize(" 3673.0612-1261 0001 ")) == "3673061212610001")
        // Village codes, RT/RW and phones built from digits and separators.
        let digits = ["1", "2", "3", "0", "7", ".", " ", "-", "(", ")", "rt", "x", "+62", "08", "é"]
        for _ in 0..<20_000 {
            let s = Self.randomString(digits, &rng)
            let ref = s.filter { !($0.isWhitespace || $0 == ".") }
            let expectedVillage: String? = ref.count == 10 && ref.allSatisfy(\.isASCIIDigit)
                ? { let d = Array(ref); return "\(String(d[0..<2])).\(String(d[2..<4])).\(String(d[4..<6])).\(String(d[6..<10]))" }() : nil
            #expect(MemberRowValidator.dottedVillageCode(s) == expectedVillage, "\(s.debugDescription)")
            var t = s.lowercased()
            for word in ["rt", "rw", "."] { t = t.replacingOccurrences(of: word, with: "") }
            t = t.filter { !$0.isWhitespace }
            let expectedRT: String? = (1...3).contains(t.count) && t.allSatisfy(\.isASCIIDigit) && Int(t)! > 0
                ? String(repeating: "0", count: 3 - String(Int(t)!).count) + String(Int(t)!) : nil
            #expect((try? MemberRowValidator.neighbourhood(s, label: "RT").get()) == expectedRT, "\(s.debugDescription)")
            let phoneDigits = s.asciiDigits(dropping: { $0.isASCIISpace || "-.()".utf8.contains($0) })
            #expect(phoneDigits == nil || phoneDigits == s.filter { !($0.isWhitespace || "-.()".contains($0)) })
        }
    }
}

