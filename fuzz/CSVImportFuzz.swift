// libFuzzer target: a member list as the import reads it — CSVRecordParser in blocks, the
// column guess, every row through SimpulCore's validator, and the error file written back.
// Built by fuzz/run.sh as one module with SimpulCore's sources.
import Foundation

private let validator: MemberRowValidator = {
    // The real Kota Serang kelurahan and kecamatan from the shipped reference file.
    let path = ProcessInfo.processInfo.environment["SIMPUL_WILAYAH"] ?? "Sources/SimpulServer/Resources/Reference/wilayah.csv"
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    var villages: [String: String] = [:], districts: [String: String] = [:]
    for line in text.split(separator: "\n").dropFirst() {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard cells.count >= 3, cells[0].hasPrefix("36.73") else { continue }
        if cells[2] == "village" { villages[cells[0]] = cells[1] } else if cells[2] == "district" { districts[cells[0]] = cells[1] }
    }
    precondition(villages.count == 67, "wilayah.csv not found from \(FileManager.default.currentDirectoryPath)")
    return MemberRowValidator(villagesByCode: villages, districtsByCode: districts, today: CivilDate(year: 2026, month: 11, day: 26)!)
}()

/// Every record of `bytes` fed in blocks of `block` bytes, or the parser's error.
private func records(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, block: Int) -> Result<[[String]], CSVRecordParser.Malformed> {
    Result { () throws(CSVRecordParser.Malformed) in try CSVRecordParser.records(of: bytes, delimiter: delimiter, blockSize: block) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVImport(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let head = String(decoding: bytes.prefix { $0 != 0x0A }, as: UTF8.self)
    let delimiter = UInt8(MemberImport.delimiter(ofHeaderLine: head).value)
    // The import reads a file in blocks: where a block ends must not change a single record.
    let whole = records(bytes, delimiter: delimiter, block: max(1, size))
    for block in [1, 2, 7] {
        precondition(records(bytes, delimiter: delimiter, block: block) == whole, "blocks of \(block) read differently")
    }
    guard case .success(let all) = whole, let header = all.first else { return 0 }
    let mapping = ColumnMapping.guess(headers: header)
    var failures: [RowErrors] = []
    for (index, fields) in all.dropFirst().prefix(10_000).enumerated() {
        let row = index + 2
        switch validator.validate(fields, mapping: mapping, row: row) {
        case .success(let member):
            // A row that passes is a person the database may store as it is.
            precondition(validator.villagesByCode[member.villageCode] != nil)
            precondition((try? NIK(validating: member.nik.digits, today: validator.today)) == member.nik)
            precondition(!member.fullName.isEmpty)
        case .failure(let errors):
            // A refused row names its row and says why, in words.
            precondition(errors.row == row && !errors.problems.isEmpty)
            precondition(errors.problems.allSatisfy { $0.row == row && !$0.message.isEmpty })
            failures.append(errors)
        }
    }
    // The error file reads back line for line and no cell can run as a spreadsheet formula.
    let file = MemberImport.errorCSV(failures)
    guard case .success(let back) = Array(file.utf8).withUnsafeBufferPointer({ records($0, delimiter: UInt8(ascii: ","), block: 4096) })
    else { preconditionFailure("error file unreadable") }
    var lines = 0
    for cells in back.dropFirst() {
        lines += 1
        precondition(cells.count == 3, "error line \(lines) has \(cells.count) cells")
        for cell in cells { precondition(!cell.hasPrefix("=") && !cell.hasPrefix("+") && !cell.hasPrefix("@")) }
    }
    precondition(lines == failures.reduce(0) { $0 + $1.problems.count })
    return 0
}
