import Vapor

/// Field-by-field validation messages in Indonesian. Pages show them next to the fields;
/// the API answers 422 with the same list.
struct FieldError: Content, Equatable {
    let field: String
    let message: String
}

struct ValidationFailure: AbortError {
    let errors: [FieldError]
    var status: HTTPResponseStatus { .unprocessableEntity }
    var reason: String { errors.map(\.message).joined(separator: " ") }
}

struct FormErrors {
    private(set) var all: [FieldError] = []

    var isEmpty: Bool { all.isEmpty }

    mutating func add(_ field: String, _ message: String) {
        all.append(FieldError(field: field, message: message))
    }

    /// Required text: trimmed, non-empty, at most `max` characters.
    mutating func required(_ value: String?, field: String, label: String, max: Int = 200) -> String {
        let trimmed = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { add(field, "\(label) wajib diisi.") }
        else if trimmed.count > max { add(field, "\(label) terlalu panjang (maksimal \(max) karakter).") }
        return trimmed
    }

    /// Optional text: nil when blank.
    mutating func optional(_ value: String?, field: String, label: String, max: Int = 200) -> String? {
        let trimmed = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return nil }
        if trimmed.count > max { add(field, "\(label) terlalu panjang (maksimal \(max) karakter).") }
        return trimmed
    }

    func message(for field: String) -> String? { all.first { $0.field == field }?.message }

    /// Field → message, for templates.
    var byField: [String: String] {
        Dictionary(all.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
    }

    func throwIfAny() throws {
        if !all.isEmpty { throw ValidationFailure(errors: all) }
    }
}
