import Testing
@testable import SimpulCore

@Suite("Daftar bakal calon")
struct CandidateListRulesTests {
    typealias Entry = CandidateListRules.Entry

    /// Builds a list from a pattern such as "LLPLLP": position i+1 gets the i-th letter (P = perempuan).
    private func list(_ pattern: String) -> [Entry] {
        pattern.enumerated().map { i, c in
            Entry(position: i + 1, personID: "p\(i + 1)", sex: c == "P" ? .female : .male)
        }
    }

    @Test func validListPasses() {
        // 8 seats, 8 names, 3 women (ceil 2.4), one in 1–3 and one in 4–6; 7–8 is a partial block.
        #expect(CandidateListRules.check(list("LLPLPLLP"), seats: 8).isEmpty)
        #expect(CandidateListRules.check(list("PLLPLLPLLP"), seats: 10).isEmpty)
        #expect(CandidateListRules.check(list("PPP"), seats: 3).isEmpty)
    }

    @Test func emptyListPasses() {
        #expect(CandidateListRules.check([], seats: 5).isEmpty)
    }

    @Test(arguments: [(0, 0), (1, 1), (2, 1), (3, 1), (4, 2), (5, 2), (6, 2), (7, 3), (8, 3), (9, 3), (10, 3), (11, 4), (12, 4)])
    func minimumWomenRoundsUp(n: Int, women: Int) {
        #expect(CandidateListRules.minimumWomen(listSize: n) == women)
    }

    @Test func minimumWomenIsExactCeilingOfThirtyPercent() {
        for n in 0...1_000 {
            let w = CandidateListRules.minimumWomen(listSize: n)
            #expect(10 * w >= 3 * n)                  // at least 30%
            #expect(w == 0 || 10 * (w - 1) < 3 * n)   // and the smallest such number
        }
    }

    @Test func tooManyNames() {
        let violations = CandidateListRules.check(list("PLLPLLPLL"), seats: 8)
        #expect(violations == [.tooManyCandidates(count: 9, maximum: 8)])
        #expect(violations[0].message == "Daftar bakal calon memuat 9 orang, melebihi 100% jumlah kursi dapil (paling banyak 8 orang).")
        #expect(violations[0].field == "Jumlah bakal calon")
    }

    @Test func invalidSeatCount() {
        #expect(CandidateListRules.check(list("P"), seats: 0) == [.invalidSeatCount(0)])
        #expect(CandidateListRules.check([], seats: -1) == [.invalidSeatCount(-1)])
    }

    @Test func tooFewWomenEvenWhenEveryBlockHasOne() {
        // 7 names: blocks 1–3 and 4–6 each have a woman, but 30% of 7 = 2.1 → 3 are needed.
        let violations = CandidateListRules.check(list("LPLLPLL"), seats: 7)
        #expect(violations == [.tooFewWomen(women: 2, required: 3, total: 7)])
        #expect(violations[0].message == "Keterwakilan perempuan kurang: 2 dari 7 bakal calon perempuan, paling sedikit 3 orang (30%, dibulatkan ke atas).")
        #expect(violations[0].field == "Jenis kelamin")
    }

    @Test func blockWithoutAWoman() {
        // 6 names, 2 women (enough), but both in 1–3.
        let violations = CandidateListRules.check(list("PPLLLL"), seats: 6)
        #expect(violations == [.noWomanInBlock(first: 4, last: 6)])
        #expect(violations[0].message == "Nomor urut 4–6: tidak ada bakal calon perempuan; setiap 3 bakal calon wajib memuat paling sedikit 1 perempuan.")
        #expect(violations[0].field == "Nomor urut 4–6")
        #expect(violations[0].positions == [4, 5, 6])
    }

    @Test func womanMayBeAnywhereInTheBlock() {
        for pattern in ["PLL", "LPL", "LLP"] {
            #expect(CandidateListRules.check(list(pattern + pattern), seats: 6).isEmpty, "\(pattern)")
        }
    }

    @Test func finalPartialBlockHasNoBlockRequirement() {
        // 5 names: women at 1 and 2 → 2 ≥ ceil(1.5); positions 4–5 form an incomplete block.
        #expect(CandidateListRules.check(list("PPLLL"), seats: 5).isEmpty)
        // 4 names: 1 woman is too few (ceil 1.2 = 2), but there is no block violation for 4.
        #expect(CandidateListRules.check(list("PLLL"), seats: 4) == [.tooFewWomen(women: 1, required: 2, total: 4)])
        // 2 names: no block at all; one woman needed.
        #expect(CandidateListRules.check(list("LL"), seats: 3) == [.tooFewWomen(women: 0, required: 1, total: 2)])
    }

    @Test func allMenListReportsEveryRule() {
        let violations = CandidateListRules.check(list("LLLLLLLLLL"), seats: 8)
        #expect(violations == [
            .tooManyCandidates(count: 10, maximum: 8),
            .tooFewWomen(women: 0, required: 3, total: 10),
            .noWomanInBlock(first: 1, last: 3),
            .noWomanInBlock(first: 4, last: 6),
            .noWomanInBlock(first: 7, last: 9),
        ])
    }

    @Test func samePersonTwice() {
        var entries = list("PLLPLL")
        entries[4] = Entry(position: 5, personID: "p2", sex: .male, name: "Budi Santoso")
        entries[1] = Entry(position: 2, personID: "p2", sex: .male, name: "Budi Santoso")
        let violations = CandidateListRules.check(entries, seats: 6)
        #expect(violations == [.duplicatePerson(personID: "p2", name: "Budi Santoso", positions: [2, 5])])
        #expect(violations[0].message == "Bakal calon yang sama, Budi Santoso (ID p2), tercantum lebih dari sekali: nomor urut 2, 5.")
        #expect(violations[0].field == "Nomor urut 2, 5")
        #expect(violations[0].positions == [2, 5])
        #expect(CandidateListRules.Violation.duplicatePerson(personID: "x", name: nil, positions: [1, 3]).message.contains("ID x"))
    }

    @Test func numberingMustRunFromOneWithoutGapsOrRepeats() {
        let entries = [
            Entry(position: 1, personID: "a", sex: .female),
            Entry(position: 2, personID: "b", sex: .male),
            Entry(position: 2, personID: "c", sex: .male),
            Entry(position: 7, personID: "d", sex: .female),
        ]
        let violations = CandidateListRules.check(entries, seats: 6)
        #expect(violations == [
            .duplicatePosition(2),
            .positionOutOfRange(position: 7, count: 4),
            .missingPosition(3),
            .missingPosition(4),
        ])
        #expect(violations[0].message == "Nomor urut 2 dipakai oleh lebih dari satu bakal calon.")
        #expect(violations[1].message == "Nomor urut 7 di luar rentang 1–4.")
        #expect(violations[2].message == "Nomor urut 3 kosong; nomor urut harus berurutan mulai dari 1.")
        #expect(CandidateListRules.check([Entry(position: 0, personID: "a", sex: .female)], seats: 3)
                == [.positionOutOfRange(position: 0, count: 1), .missingPosition(1)])
    }

    @Test func inputOrderDoesNotMatterOnlyPositions() {
        let entries = list("LLPLPL").reversed()
        #expect(CandidateListRules.check(Array(entries), seats: 6).isEmpty)
    }

    @Test func everyMessageIsIndonesianAndNamesAField() {
        let all: [CandidateListRules.Violation] = [
            .invalidSeatCount(0), .tooManyCandidates(count: 2, maximum: 1), .duplicatePosition(1),
            .positionOutOfRange(position: 9, count: 3), .missingPosition(2),
            .duplicatePerson(personID: "x", name: nil, positions: [1, 2]),
            .tooFewWomen(women: 0, required: 1, total: 3), .noWomanInBlock(first: 1, last: 3),
        ]
        for v in all {
            #expect(!v.message.isEmpty && !v.field.isEmpty)
        }
    }

    @Test func blockRuleAgreesWithBruteForceOnRandomLists() {
        var rng = SplitMix64(seed: 30)
        for _ in 0..<3000 {
            let n = Int.random(in: 1...12, using: &rng)
            let sexes = (0..<n).map { _ in Int.random(in: 0..<10, using: &rng) < 3 ? Sex.female : .male }
            let entries = sexes.enumerated().map { Entry(position: $0.offset + 1, personID: "p\($0.offset)", sex: $0.element) }
            let violations = CandidateListRules.check(entries, seats: 12)

            let women = sexes.filter { $0 == .female }.count
            #expect(violations.contains { if case .tooFewWomen = $0 { true } else { false } } == (Double(women) < 0.3 * Double(n) - 1e-9))
            var expectedBlocks: [CandidateListRules.Violation] = []
            var start = 0
            while start + 3 <= n {
                if !sexes[start..<(start + 3)].contains(.female) {
                    expectedBlocks.append(.noWomanInBlock(first: start + 1, last: start + 3))
                }
                start += 3
            }
            #expect(violations.filter { if case .noWomanInBlock = $0 { true } else { false } } == expectedBlocks)
        }
    }
}
