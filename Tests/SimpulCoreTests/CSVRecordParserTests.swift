import Testing
@testable import SimpulCore

@Suite struct CSVRecordParserTests {
    /// Every record of `text`, fed in blocks of `block` bytes.
    static func records(_ text: String, delimiter: Character = ",", block: Int = 1 << 20) throws(CSVRecordParser.Malformed) -> [[String]] {
        try records(Array(text.utf8), delimiter: delimiter, block: block)
    }

    static func records(_ bytes: [UInt8], delimiter: Character = ",", block: Int) throws(CSVRecordParser.Malformed) -> [[String]] {
        try CSVRecordParser.records(of: bytes, delimiter: delimiter.asciiValue!, blockSize: block)
    }

    @Test func plainRecordsWithEveryLineEnding() throws {
        #expect(try Self.records("a,b,c\n1,2,3\n") == [["a", "b", "c"], ["1", "2", "3"]])
        #expect(try Self.records("a,b\r\n1,2\r\n") == [["a", "b"], ["1", "2"]])
        #expect(try Self.records("a,b\r1,2\r") == [["a", "b"], ["1", "2"]])
        #expect(try Self.records("a,b\n1,2") == [["a", "b"], ["1", "2"]], "a last line without a line break counts")
        #expect(try Self.records("a;b;;\n", delimiter: ";") == [["a", "b", "", ""]])
        #expect(try Self.records("a,b\n\n1,2\n") == [["a", "b"], [""], ["1", "2"]], "a blank line is a record of one empty field")
        #expect(try Self.records("") == [])
    }

    @Test func quotedFieldsHoldDelimitersLineBreaksAndQuotes() throws {
        #expect(try Self.records("\"Jl. Raya, No. 5\",\"baris\r\nkedua\",\"kata \"\"kutip\"\"\"\n")
            == [["Jl. Raya, No. 5", "baris\r\nkedua", "kata \"kutip\""]])
        #expect(try Self.records("\"\",x\n") == [["", "x"]])
        #expect(try Self.records("ab\"c,d\n") == [["ab\"c", "d"]], "a quote inside an unquoted field is an ordinary character")
        #expect(try Self.records("\"a\"") == [["a"]])
    }

    @Test func byteOrderMarkAndUTF8() throws {
        #expect(try Self.records("\u{FEFF}Nama,NIK\nSiti Ñurhaliza,1\n") == [["Nama", "NIK"], ["Siti Ñurhaliza", "1"]])
        #expect(try Self.records("\u{FEFF}Nama\n", block: 1) == [["Nama"]], "a mark split over blocks is still dropped")
        #expect(try Self.records("a\n\u{FEFF}b\n", block: 1) == [["a"], ["\u{FEFF}b"]], "only the file's first bytes can be a mark")
    }

    @Test func malformedInputNamesTheLine() {
        #expect(throws: CSVRecordParser.Malformed(record: 2, message: "Baris 2: tanda kutip (\") tidak ditutup sampai akhir berkas.")) {
            try Self.records("a,b\n\"tidak ditutup,x\n")
        }
        #expect(throws: CSVRecordParser.Malformed(record: 1, message: "Baris 1: ada teks setelah tanda kutip penutup pada kolom 1.")) {
            try Self.records("\"a\"b,c\n")
        }
        #expect(throws: CSVRecordParser.Malformed(record: 2, message: "Baris 2 bukan teks UTF-8: simpan berkas sebagai \"CSV UTF-8\".")) {
            try Self.records(Array("a\n".utf8) + [0x53, 0x69, 0xE9, 0x0A], block: 3)  // "Sié" in Latin-1
        }
    }

    /// Any split of a file into blocks gives the same records as reading it whole: every
    /// place a record can stop half-way (inside quotes, between CR and LF, after a closing
    /// quote) is a block boundary somewhere here.
    @Test func blockBoundariesChangeNothing() throws {
        let pieces = ["a", "Budi", "\"x,y\"", "\"p\"\"q\"", "\"\r\n\"", "", "é", "\"\""]
        var rng = SplitMix64(seed: 7)
        for _ in 0..<300 {
            var text = ""
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let fields = (0..<Int.random(in: 1...4, using: &rng)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &rng)] }
                text += fields.joined(separator: ",") + ["\n", "\r\n", "\r"][Int.random(in: 0...2, using: &rng)]
            }
            if Int.random(in: 0...1, using: &rng) == 0 { text.removeLast() }
            let whole = try Self.records(text)
            for block in [1, 2, 3, 5] {
                #expect(try Self.records(text, block: block) == whole, "\(text.debugDescription) in blocks of \(block)")
            }
        }
    }
}
