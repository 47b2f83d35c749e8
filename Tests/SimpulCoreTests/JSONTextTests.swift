import Foundation
import Testing
@testable import SimpulCore

@Suite("JSON written by hand (tally sheets, receipts)")
struct JSONTextTests {
    @Test("a sheet written by hand reads back equal with JSONDecoder, awkward names included")
    func sheetRoundTrip() throws {
        let names = ["Siti Rahmah", "Dédé \"Ucok\" Ñuñez", "back\\slash/slash", "tab\tnew\nline\r", "\u{1}\u{1F}\u{7F}", "李 😀", ""]
        var candidates: [String: [String: Int]] = [:]
        for (i, n) in names.enumerated() { candidates["P\(i % 3)", default: [:]][n] = i * 7 - 3 }
        let sheets = [
            TallySheet(registeredVoters: 250, votersPresent: 200, validVotes: 190, invalidVotes: 10,
                       partyVotes: ["A": 100, "B": 60, "C\"": -30], candidateVotes: candidates),
            TallySheet(registeredVoters: 0, votersPresent: 0, validVotes: 0, invalidVotes: 0, partyVotes: [:]),
        ]
        for sheet in sheets {
            let back = try JSONDecoder().decode(TallySheet.self, from: Data(sheet.jsonText.utf8))
            #expect(back == sheet)
            // Same document as JSONEncoder with sorted keys, apart from its escaped slashes.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let reference = try JSONDecoder().decode(TallySheet.self, from: encoder.encode(sheet))
            #expect(reference == back)
        }
    }

    @Test("quoted strings are valid JSON string literals")
    func quoted() throws {
        for s in ["", "plain", "\"", "\\", "\u{0}", "\u{8}\u{C}", "Hasil TPS 001 sudah dihitung.", "é😀"] {
            let back = try JSONDecoder().decode([String].self, from: Data("[\(JSONText.quoted(s))]".utf8))
            #expect(back == [s])
        }
    }
}
