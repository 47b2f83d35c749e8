/// JSON written by hand for the few small documents on a hot path (a tally's stored sheet,
/// its receipt), where JSONEncoder's generic machinery costs more than the work itself.
/// The output is plain RFC 8259 JSON that JSONDecoder reads back to the same values
/// (tests check it against JSONDecoder with awkward strings).
public enum JSONText {
    /// `value` as a JSON string literal, quotes included.
    public static func quoted(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        appendEscaped(value, to: &out)
        out.append("\"")
        return out
    }

    /// Appends `value` escaped for the inside of a JSON string literal.
    public static func appendEscaped(_ value: String, to out: inout String) {
        // Fast path: nothing to escape (the common case: digits, ids, plain names).
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(value)
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
    }

    /// `{"key":value,…}` for string → integer, keys in sorted order (stable output).
    public static func appendObject(_ object: [String: Int], to out: inout String) {
        out.append("{")
        for (i, key) in object.keys.sorted().enumerated() {
            if i > 0 { out.append(",") }
            out.append("\"")
            appendEscaped(key, to: &out)
            out.append("\":")
            out.append(String(object[key]!))
        }
        out.append("}")
    }
}

extension TallySheet {
    /// The sheet as JSON, as stored with a submission; `JSONDecoder` reads it back as an
    /// equal TallySheet (the document JSONEncoder with sorted keys writes, except that "/"
    /// is not escaped).
    public var jsonText: String {
        var out = "{\"candidateVotes\":{"
        for (i, party) in candidateVotes.keys.sorted().enumerated() {
            if i > 0 { out.append(",") }
            out.append("\"")
            JSONText.appendEscaped(party, to: &out)
            out.append("\":")
            JSONText.appendObject(candidateVotes[party]!, to: &out)
        }
        out.append("},\"invalidVotes\":")
        out.append(String(invalidVotes))
        out.append(",\"partyVotes\":")
        JSONText.appendObject(partyVotes, to: &out)
        out.append(",\"registeredVoters\":")
        out.append(String(registeredVoters))
        out.append(",\"validVotes\":")
        out.append(String(validVotes))
        out.append(",\"votersPresent\":")
        out.append(String(votersPresent))
        out.append("}")
        return out
    }
}
