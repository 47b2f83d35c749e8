import Foundation
import NIOCore
import SimpulCore
import Vapor

/// The hot path of election night, `POST /api/v1/tally/{tps}`, without the generic Content
/// machinery: a C.Hasil body in its usual shape is read by `TallyInputReader`, the receipt
/// is written by hand. Anything unusual (escapes, floats, nulls, unknown or repeated keys,
/// another content type) goes the ordinary `req.content.decode` way, so errors and edge
/// cases answer exactly as before; tests compare both readers on the same bodies.
enum TallyFastPath {
    /// The tally in the request body: the fast reader when it can, else Vapor's decoder.
    static func input(_ req: Request) throws -> TallyInput {
        if req.headers.contentType == .json, let body = req.body.data,
           let input = body.withUnsafeReadableBytes({ TallyInputReader.read($0) }) {
            return input
        }
        return try req.content.decode(TallyInput.self)
    }

    /// The receipt as JSON, the same fields `TallyReceipt`'s Content encoding gives.
    static func response(_ receipt: TallyReceipt, status: HTTPResponseStatus) -> Response {
        var text = "{\"submission\":\""
        text.append(receipt.submission.uuidString)
        text.append("\",\"station\":")
        text.append(JSONText.quoted(receipt.station))
        text.append(",\"status\":")
        text.append(JSONText.quoted(receipt.status))
        text.append(",\"message\":")
        text.append(JSONText.quoted(receipt.message))
        text.append("}")
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: status, headers: headers, body: .init(string: text))
    }
}

/// A strict reader for `{"clientRef": "…", "votersPresent": n, "validVotes": n,
/// "invalidVotes": n, "parties": {"8": n}, "candidates": {"8": {"Nama": n}}}`: plain
/// integers, strings without escapes, every key at most once. It answers nil (never
/// throws) for anything else; the caller then uses JSONDecoder, which gives the error.
struct TallyInputReader {
    private let bytes: UnsafeRawBufferPointer
    private var i = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    static func read(_ bytes: UnsafeRawBufferPointer) -> TallyInput? {
        var reader = TallyInputReader(bytes)
        return reader.input()
    }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    private mutating func input() -> TallyInput? {
        var clientRef: String?, voters: Int?, valid: Int?, invalid: Int?
        var parties: [String: Int]?, candidates: [String: [String: Int]]?
        var seen = Set<String>()
        guard skip("{") else { return nil }
        if !skip("}") {
            repeat {
                guard let key = string(), seen.insert(key).inserted, skip(":") else { return nil }
                switch key {
                case "clientRef": guard let v = string() else { return nil }; clientRef = v
                case "votersPresent": guard let v = integer() else { return nil }; voters = v
                case "validVotes": guard let v = integer() else { return nil }; valid = v
                case "invalidVotes": guard let v = integer() else { return nil }; invalid = v
                case "parties": guard let v = counts() else { return nil }; parties = v
                case "candidates":
                    var all: [String: [String: Int]] = [:]
                    guard skip("{") else { return nil }
                    if !skip("}") {
                        repeat {
                            guard let party = string(), all[party] == nil, skip(":"), let list = counts() else { return nil }
                            all[party] = list
                        } while skip(",")
                        guard skip("}") else { return nil }
                    }
                    candidates = all
                default: return nil
                }
            } while skip(",")
            guard skip("}") else { return nil }
        }
        whitespace()
        guard i == bytes.count, let voters, let valid, let invalid, let parties else { return nil }
        return TallyInput(clientRef: clientRef, votersPresent: voters, validVotes: valid, invalidVotes: invalid,
                          parties: parties, candidates: candidates)
    }

    /// `{"key": n, …}`.
    private mutating func counts() -> [String: Int]? {
        var out: [String: Int] = [:]
        guard skip("{") else { return nil }
        if skip("}") { return out }
        repeat {
            guard let key = string(), out[key] == nil, skip(":"), let v = integer() else { return nil }
            out[key] = v
        } while skip(",")
        return skip("}") ? out : nil
    }

    private mutating func whitespace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    /// Whitespace, then `c` (consumed) or false.
    private mutating func skip(_ c: Unicode.Scalar) -> Bool {
        whitespace()
        guard i < bytes.count, bytes[i] == UInt8(c.value) else { return false }
        i += 1
        return true
    }

    /// A string without escapes or control characters, valid UTF-8.
    private mutating func string() -> String? {
        guard skip("\"") else { return nil }
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if b == Self.quote {
                let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return text
            }
            if b == Self.backslash || b < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    /// `-?[1-9][0-9]*` or `0`, at most 18 digits, not followed by a fraction or exponent.
    private mutating func integer() -> Int? {
        whitespace()
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        let start = i
        var value = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            if i - start == 18 { return nil }  // longer: JSONDecoder decides (and nothing overflows here)
            value = value * 10 + Int(bytes[i] - 0x30)
            i += 1
        }
        let digits = i - start
        guard digits > 0, !(digits > 1 && bytes[start] == 0x30) else { return nil }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") { return nil }
        return negative ? -value : value
    }
}
