/// CSV records (RFC 4180) straight from UTF-8 bytes, fed block by block as a file is read.
///
/// The member import reads lists of a million rows; a reader that decodes every character
/// to a Unicode scalar first (CSV.swift) took a tenth of the import's CPU. This one looks at
/// bytes (every CSV delimiter is ASCII) and makes each field's String once.
///
/// Rules: fields are separated by `delimiter`, records by LF, CRLF or CR. A field that starts
/// with `"` is quoted: it may hold delimiters and line breaks, and `""` in it is one `"`. A `"`
/// inside an unquoted field is an ordinary character. After a closing quote only a delimiter
/// or the end of the record may follow. A byte order mark at the very start is dropped.
public struct CSVRecordParser: Sendable {
    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        /// The record (1 = the first line of the file, the header) where the problem is.
        public let record: Int
        public let message: String
        public var description: String { message }
    }

    public let delimiter: UInt8
    private var buffer: [UInt8] = []
    private var position = 0
    private var started = false
    /// Records returned so far.
    public private(set) var records = 0

    public init(delimiter: UInt8) {
        self.delimiter = delimiter
    }

    /// Adds the next block of the file.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        if position > 0 && position >= buffer.count / 2 {
            buffer.removeSubrange(0..<position)
            position = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole record, or nil when the bytes so far end inside one (append more) or,
    /// with `atEnd`, when there are none left. At the end, a last record without a line
    /// break counts; an unclosed quote is an error.
    public mutating func next(atEnd: Bool) throws(Malformed) -> [String]? {
        if !started {
            // A byte order mark can only be the file's first three bytes: wait until they are in.
            guard buffer.count >= 3 || atEnd else { return nil }
            started = true
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        }
        guard position < buffer.count else { return nil }
        let (position, delimiter, number) = (position, delimiter, records + 1)
        let parsed = try buffer.withUnsafeBufferPointer { bytes throws(Malformed) in
            try Self.record(in: bytes, from: position, delimiter: delimiter, atEnd: atEnd, number: number)
        }
        guard let parsed else { return nil }
        self.position = parsed.end
        records += 1
        return parsed.fields
    }

    /// Every record of a whole file in memory, fed to a parser `blockSize` bytes at a time as
    /// a file is read (tests and the fuzzer check that where blocks end changes nothing).
    public static func records(of bytes: some Collection<UInt8>, delimiter: UInt8, blockSize: Int = 1 << 20) throws(Malformed) -> [[String]] {
        var parser = CSVRecordParser(delimiter: delimiter)
        var out: [[String]] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            parser.append(rest.prefix(blockSize))
            rest = rest.dropFirst(blockSize)
            while let record = try parser.next(atEnd: false) { out.append(record) }
        }
        while let record = try parser.next(atEnd: true) { out.append(record) }
        return out
    }

    /// Parses one record starting at `start`; nil if `bytes` end before it does (and more may come).
    private static func record(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, delimiter: UInt8, atEnd: Bool,
                               number: Int) throws(Malformed) -> (fields: [String], end: Int)? {
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var fields: [String] = []
        var i = start
        let n = bytes.count
        func text(_ range: Range<Int>) throws(Malformed) -> String {
            guard let s = String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
                throw Malformed(record: number, message: "Baris \(number) bukan teks UTF-8: simpan berkas sebagai \"CSV UTF-8\".")
            }
            return s
        }
        /// The record ends at the line break at `k`: LF, CR, or CR LF.
        func end(at k: Int) -> (fields: [String], end: Int)? {
            if bytes[k] == cr {
                if k + 1 == n && !atEnd { return nil }  // the LF of a CR LF may be in the next block
                if k + 1 < n && bytes[k + 1] == lf { return (fields, k + 2) }
            }
            return (fields, k + 1)
        }
        while true {
            if i < n && bytes[i] == quote {
                // Quoted field: runs to the quote not doubled.
                var value: [UInt8] = []
                var j = i + 1
                var closed = false
                while j < n {
                    let b = bytes[j]
                    if b == quote {
                        if j + 1 < n && bytes[j + 1] == quote {
                            value.append(quote)
                            j += 2
                            continue
                        }
                        if j + 1 == n && !atEnd { return nil }  // may be the first of a doubled quote
                        closed = true
                        j += 1
                        break
                    }
                    value.append(b)
                    j += 1
                }
                guard closed else {
                    if !atEnd { return nil }
                    throw Malformed(record: number, message: "Baris \(number): tanda kutip (\") tidak ditutup sampai akhir berkas.")
                }
                guard let s = value.withUnsafeBufferPointer({ String(validating: $0, as: UTF8.self) }) else {
                    throw Malformed(record: number, message: "Baris \(number) bukan teks UTF-8: simpan berkas sebagai \"CSV UTF-8\".")
                }
                fields.append(s)
                i = j
                if i == n {
                    if !atEnd { return nil }
                    return (fields, i)
                }
                let b = bytes[i]
                if b == delimiter {
                    i += 1
                    continue
                }
                if b == lf || b == cr { return end(at: i) }
                throw Malformed(record: number, message: "Baris \(number): ada teks setelah tanda kutip penutup pada kolom \(fields.count).")
            }
            // Unquoted field: runs to the delimiter or the line break.
            var j = i
            while j < n {
                let b = bytes[j]
                if b == delimiter || b == lf || b == cr { break }
                j += 1
            }
            if j == n {
                if !atEnd { return nil }
                fields.append(try text(i..<j))
                return (fields, j)
            }
            fields.append(try text(i..<j))
            if bytes[j] == delimiter {
                i = j + 1
                continue
            }
            return end(at: j)
        }
    }
}
