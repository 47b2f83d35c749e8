import CQRencode
import Foundation

/// A QR code symbol — the matrix of dark and light modules — encoded by Debian's
/// libqrencode (no QR encoder of our own).
///
/// The text is encoded byte for byte as UTF-8 in 8-bit mode, so it is case-sensitive
/// and any Unicode text works. The smallest version that holds the text at the chosen
/// error-correction level is used.
public struct QRCode: Sendable, Equatable {
    /// Error-correction level: how much of the symbol may be damaged or covered and
    /// still scan (about 7 %, 15 %, 25 % and 30 %). Higher levels need more modules.
    public enum ErrorCorrection: Sendable, CaseIterable {
        case low, medium, quartile, high

        var qrLevel: QRecLevel {
            switch self {
            case .low: QR_ECLEVEL_L
            case .medium: QR_ECLEVEL_M
            case .quartile: QR_ECLEVEL_Q
            case .high: QR_ECLEVEL_H
            }
        }

        /// Largest payload in 8-bit mode (version 40).
        public var maximumBytes: Int {
            switch self {
            case .low: 2953
            case .medium: 2331
            case .quartile: 1663
            case .high: 1273
            }
        }
    }

    /// Modules per side (21 for version 1, +4 per version, 177 for version 40).
    public let size: Int
    /// QR version, 1…40.
    public let version: Int
    /// Row-major, `size * size` entries; 1 = dark.
    private let modules: [UInt8]

    /// Encodes `text` (as UTF-8 bytes, 8-bit mode).
    /// - Throws: `QRCodeError` with a message in Indonesian.
    public init(_ text: String, level: ErrorCorrection = .medium) throws {
        let bytes = text.utf8.count
        guard bytes > 0 else { throw QRCodeError.emptyText }
        // libqrencode reads a C string: a NUL would silently cut the text short.
        guard !text.utf8.contains(0) else { throw QRCodeError.containsNullCharacter }
        guard bytes <= level.maximumBytes else {
            throw QRCodeError.tooLong(byteCount: bytes, maximum: level.maximumBytes)
        }
        // Version 0 = the smallest version that fits.
        let encoded = text.withCString { QRcode_encodeString8bit($0, 0, level.qrLevel) }
        guard let qr = encoded else {
            let code = errno
            if code == ERANGE { throw QRCodeError.tooLong(byteCount: bytes, maximum: level.maximumBytes) }
            throw QRCodeError.encodingFailed(errno: code)
        }
        defer { QRcode_free(qr) }
        let width = Int(qr.pointee.width)
        // Bit 0 of each byte is the module's colour; the other bits describe its role.
        let raw = UnsafeBufferPointer(start: qr.pointee.data, count: width * width)
        self.size = width
        self.version = Int(qr.pointee.version)
        self.modules = raw.map { $0 & 1 }
    }

    /// True when the module at column `x`, row `y` is dark. Coordinates outside the
    /// symbol (the quiet zone) are light.
    public func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x] != 0
    }

    /// The dark modules as ONE SVG path: each horizontal run of dark modules in a row is
    /// one rectangle `M x y h w v 1 h -w z` (scaled by `moduleSize`), so a symbol costs a
    /// few kilobytes instead of one element per module. Fill it with `fill="#000"`;
    /// `origin` is the top-left corner of the symbol (without its quiet zone).
    public func svgPath(moduleSize: Double = 1, origin: (x: Double, y: Double) = (0, 0)) -> String {
        var d = ""
        d.reserveCapacity(size * size)
        let m = SVGNumber.format(moduleSize)
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else { x += 1; continue }
                var end = x + 1
                while end < size, isDark(x: end, y: y) { end += 1 }
                let w = SVGNumber.format(Double(end - x) * moduleSize)
                d += "M\(SVGNumber.format(origin.x + Double(x) * moduleSize)) "
                d += "\(SVGNumber.format(origin.y + Double(y) * moduleSize))"
                d += "h\(w)v\(m)h-\(w)z"
                x = end
            }
        }
        return d
    }

    /// A standalone SVG of the symbol, black on white, with the standard quiet zone of
    /// four light modules on every side, `px` pixels wide and high.
    public func svg(size px: Int) -> String {
        let side = size + 2 * QRCode.quietZone
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(px)" height="\(px)" \
            viewBox="0 0 \(side) \(side)" role="img" aria-label="Kode QR">\
            <rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path d="\(svgPath(moduleSize: 1, origin: (Double(QRCode.quietZone), Double(QRCode.quietZone))))" \
            fill="#000" shape-rendering="crispEdges"/></svg>
            """
    }

    /// Light modules required around the symbol by ISO/IEC 18004.
    public static let quietZone = 4

    public static func == (a: QRCode, b: QRCode) -> Bool {
        a.size == b.size && a.version == b.version && a.modules == b.modules
    }
}

/// Why a QR code could not be made; `message` is in Indonesian.
public enum QRCodeError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case emptyText
    case containsNullCharacter
    case tooLong(byteCount: Int, maximum: Int)
    case encodingFailed(errno: Int32)

    public var message: String {
        switch self {
        case .emptyText:
            "Kode QR: teks yang akan dikodekan kosong."
        case .containsNullCharacter:
            "Kode QR: teks tidak boleh memuat karakter NUL."
        case let .tooLong(n, max):
            "Kode QR: teks terlalu panjang (\(n) bita, paling banyak \(max) bita pada tingkat koreksi ini)."
        case let .encodingFailed(code):
            "Kode QR gagal dibuat (libqrencode, errno \(code))."
        }
    }

    public var description: String { message }
    public var errorDescription: String? { message }
}

/// Compact, locale-independent numbers for SVG attributes: at most three decimals,
/// no trailing zeros, never exponent notation ("12", "6.552", "-0.5").
enum SVGNumber {
    static func format(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let sign = thousandths < 0 ? "-" : ""
        let magnitude = thousandths.magnitude
        let whole = magnitude / 1000
        var fraction = magnitude % 1000
        guard fraction != 0 else { return sign + String(whole) }
        var digits = 3
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
        return "\(sign)\(whole).\(padded)"
    }
}
