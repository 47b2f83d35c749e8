import Foundation

/// e-KTA — Kartu Tanda Anggota: what one member's card shows. Every text field is
/// printed as given (already formatted) and XML-escaped by the renderer.
public struct MemberCard: Sendable, Equatable {
    /// e.g. "Partai Contoh Indonesia".
    public var partyName: String
    /// e.g. "KARTU TANDA ANGGOTA".
    public var title: String
    public var fullName: String
    /// Nomor KTA as printed, e.g. "3673011001-000123-7".
    public var memberNumber: String
    /// e.g. "DPRa Cipocok Jaya, DPC Cipocok Jaya, DPD Kota Serang".
    public var unitName: String
    /// Already formatted, e.g. "31 Desember 2030".
    public var validUntil: String
    /// A JPEG, base64 (a `data:image/jpeg;base64,` prefix and line breaks are accepted);
    /// nil or empty draws a neutral silhouette.
    public var photoJPEGBase64: String?
    /// The address the QR code opens, where anyone can check that the card is genuine.
    public var verifyURL: String
    /// `#rgb` or `#rrggbb`.
    public var accentColor: String

    public init(
        partyName: String,
        title: String = "KARTU TANDA ANGGOTA",
        fullName: String,
        memberNumber: String,
        unitName: String,
        validUntil: String,
        photoJPEGBase64: String? = nil,
        verifyURL: String,
        accentColor: String = "#0b5d3b"
    ) {
        self.partyName = partyName
        self.title = title
        self.fullName = fullName
        self.memberNumber = memberNumber
        self.unitName = unitName
        self.validUntil = validUntil
        self.photoJPEGBase64 = photoJPEGBase64
        self.verifyURL = verifyURL
        self.accentColor = accentColor
    }
}

/// Why a card could not be drawn; `message` is in Indonesian and names the field.
public enum CardRenderError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case missingField(String)
    case invalidAccentColor(String)
    case invalidPhoto
    case verifyURLTooLong(modules: Int)
    case qrCode(QRCodeError)

    public var message: String {
        switch self {
        case let .missingField(field):
            "Kartu anggota: \(field) wajib diisi."
        case let .invalidAccentColor(value):
            "Kartu anggota: warna aksen harus berbentuk #rgb atau #rrggbb (terbaca \"\(value)\")."
        case .invalidPhoto:
            "Kartu anggota: foto harus berupa berkas JPEG yang dikodekan base64."
        case let .verifyURLTooLong(modules):
            "Kartu anggota: alamat verifikasi terlalu panjang; kode QR-nya (\(modules) modul) tidak akan terbaca bila dicetak selebar 19 mm. Gunakan alamat yang lebih pendek."
        case let .qrCode(error):
            "Kartu anggota: alamat verifikasi — \(error.message)"
        }
    }

    public var description: String { message }
    public var errorDescription: String? { message }
}

/// Draws a `MemberCard` as an SVG the size of an ID-1 card (85.6 × 54 mm, like a KTP or
/// a bank card): `width="85.6mm" height="54mm"`, so it prints at true size, and a
/// `viewBox` of 856 × 540 (one unit = 0.1 mm), so it scales cleanly on a phone.
///
/// The SVG is self-contained: no external fonts, images, styles or scripts; only
/// presentation attributes (no `style`), so a strict Content-Security-Policy does not
/// block it when inlined (the photo is a `data:` image — allow `img-src data:`).
public enum CardRenderer {
    /// Card geometry, in 0.1 mm.
    static let width = 856.0
    static let height = 540.0
    static let cornerRadius = 30.0
    static let margin = 40.0
    static let bandHeight = 118.0
    static let photo = (x: 40.0, y: 150.0, width: 180.0, height: 225.0)
    static let textLeft = 252.0
    /// Side of the QR symbol without its quiet zone: 19 mm.
    static let qrSide = 190.0
    /// Beyond this many modules (version 10) a module is under 0.34 mm: too small to
    /// print and scan reliably at 19 mm.
    static let qrMaximumModules = 57

    static let sans = "'Noto Sans', 'DejaVu Sans', sans-serif"
    static let mono = "'Noto Sans Mono', 'DejaVu Sans Mono', monospace"
    static let ink = "#16211c"
    static let muted = "#5a6b63"

    public static func svg(_ card: MemberCard) throws -> String {
        let fullName = Self.clean(card.fullName)
        let memberNumber = Self.clean(card.memberNumber)
        guard !fullName.isEmpty else { throw CardRenderError.missingField("Nama lengkap") }
        guard !memberNumber.isEmpty else { throw CardRenderError.missingField("Nomor anggota") }
        guard !card.verifyURL.isEmpty else { throw CardRenderError.missingField("Alamat verifikasi") }
        let accent = card.accentColor.trimmingCharacters(in: .whitespaces)
        guard Self.isHexColor(accent) else { throw CardRenderError.invalidAccentColor(card.accentColor) }
        let photoData = try card.photoJPEGBase64.flatMap(Self.validatedPhoto)

        let qr: QRCode
        do { qr = try QRCode(card.verifyURL, level: .medium) } catch let error as QRCodeError {
            throw CardRenderError.qrCode(error)
        }
        guard qr.size <= qrMaximumModules else { throw CardRenderError.verifyURLTooLong(modules: qr.size) }

        let cardTitle = Self.clean(card.title)
        let label = "\(cardTitle.isEmpty ? "Kartu anggota" : cardTitle): \(fullName)"
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="85.6mm" height="54mm" \
            viewBox="0 0 856 540" role="img" aria-label="\(XML.escape(label))" \
            font-family="\(sans)" text-rendering="geometricPrecision">
            """
        svg += "<title>\(XML.escape(label)) (\(XML.escape(memberNumber)))</title>"

        // Card, party band and a thin accent stripe along the bottom edge.
        let r = cornerRadius
        svg += ##"<rect width="856" height="540" rx="\##(n(r))" fill="#ffffff"/>"##
        svg += ##"<path d="M0 \##(n(r))A\##(n(r)) \##(n(r)) 0 0 1 \##(n(r)) 0H\##(n(width - r))A\##(n(r)) \##(n(r)) 0 0 1 856 \##(n(r))V\##(n(bandHeight))H0Z" fill="\##(accent)"/>"##
        svg += Self.bottomStripe(top: 528, color: accent)

        // Party name and card title in the band.
        let bandWidth = width - 2 * margin
        let party = Fitter.fit(Self.clean(card.partyName), width: bandWidth, sizes: [40, 38, 36, 34, 32, 30, 28],
                               maxLines: 1, weight: .bold)
        let onAccent = Self.isLight(accent) ? ink : "#ffffff"
        svg += Self.text(party, x: margin, firstBaseline: 58, fill: onAccent, weight: .bold)
        let title = Fitter.fit(Self.clean(card.title), width: bandWidth, sizes: [23, 21, 19], maxLines: 1,
                               weight: .regular, letterSpacing: 3)
        svg += Self.text(title, x: margin, firstBaseline: 96, fill: onAccent, opacity: 0.88, letterSpacing: 3)

        // Photo (4:5) or a silhouette.
        svg += Self.photoBox(photoData)

        // Valid until, under the photo.
        let centre = Self.photo.x + Self.photo.width / 2
        svg += Self.text(.init(lines: ["Berlaku s.d."], fontSize: 16, width: 200), x: centre, firstBaseline: 408,
                         fill: muted, anchor: "middle")
        let validUntil = Fitter.fit(Self.clean(card.validUntil), width: 210, sizes: [22, 21, 20, 19, 18], maxLines: 2,
                                    weight: .bold, fewerLinesFirst: true)
        svg += Self.text(validUntil, x: centre, firstBaseline: 436, fill: ink, weight: .bold, anchor: "middle")

        // Name: one line if it fits large, else two balanced lines, shrinking as needed.
        let nameWidth = width - margin - textLeft
        let name = Fitter.fitName(fullName, width: nameWidth)
        let nameTop = Self.photo.y - 2
        let nameBaseline = nameTop + 0.76 * name.fontSize
        svg += Self.text(name, x: textLeft, firstBaseline: nameBaseline, fill: ink, weight: .bold, lineHeight: 1.16)
        let nameBottom = nameBaseline + Double(name.lines.count - 1) * 1.16 * name.fontSize + 0.24 * name.fontSize

        // QR code, bottom right, with its quiet zone and caption.
        let module = qrSide / Double(qr.size)
        let quiet = module * Double(QRCode.quietZone)
        let captionBaseline = 514.0
        let qrLeft = width - margin - qrSide
        let qrTop = min(290, captionBaseline - 12 - quiet - qrSide)
        assert(qrTop - quiet >= nameBottom, "layout: name runs into the QR code's quiet zone")
        svg += ##"<rect x="\##(n(qrLeft - quiet))" y="\##(n(qrTop - quiet))" width="\##(n(qrSide + 2 * quiet))" height="\##(n(qrSide + 2 * quiet))" fill="#ffffff"/>"##
        svg += ##"<path transform="translate(\##(n(qrLeft)) \##(n(qrTop))) scale(\##(SVGNumber.format(module)))" d="\##(qr.svgPath())" fill="#000000" shape-rendering="crispEdges"/>"##
        svg += Self.text(.init(lines: ["Pindai untuk verifikasi"], fontSize: 16, width: qrSide),
                         x: qrLeft + qrSide / 2, firstBaseline: captionBaseline, fill: muted, anchor: "middle")

        // Member number and unit, between the photo and the QR code's quiet zone.
        let detailWidth = qrLeft - quiet - 18 - textLeft
        var y = nameBottom + 50
        svg += Self.text(.init(lines: ["Nomor anggota"], fontSize: 16, width: detailWidth), x: textLeft,
                         firstBaseline: y, fill: muted)
        let number = Fitter.fitMonospace(memberNumber, width: detailWidth, maximumSize: 29, minimumSize: 18)
        y += 8 + 0.76 * number.fontSize
        svg += Self.text(number, x: textLeft, firstBaseline: y, fill: ink, weight: .bold, family: mono)
        y += 42
        svg += Self.text(.init(lines: ["Unit"], fontSize: 16, width: detailWidth), x: textLeft, firstBaseline: y,
                         fill: muted)
        // As many lines (at most four) as fit above the bottom stripe at the largest size.
        let maxUnitLines = max(1, min(4, Int((496 - (y + 8 + 0.76 * 20)) / (1.22 * 20)) + 1))
        let unit = Fitter.fit(Self.clean(card.unitName), width: detailWidth, sizes: [20, 19, 18, 17, 16],
                              maxLines: maxUnitLines, weight: .regular, breakAfterCommas: true)
        y += 8 + 0.76 * unit.fontSize
        svg += Self.text(unit, x: textLeft, firstBaseline: y, fill: ink, lineHeight: 1.22)

        // Hairline border: shows the card's edge on screen and is a cutting guide on paper.
        svg += ##"<rect x="1" y="1" width="854" height="538" rx="\##(n(r - 1))" fill="none" stroke="#c7d0cb" stroke-width="2"/>"##
        svg += "</svg>"
        return svg
    }

    // MARK: Pieces

    private static func bottomStripe(top: Double, color: String) -> String {
        // The part of the rounded card below `top`.
        let r = cornerRadius
        let dy = (height - r) - top  // negative: top lies inside the corner arcs
        let inset = r - (r * r - dy * dy).squareRoot()
        return ##"<path d="M\##(n(inset)) \##(n(top))H\##(n(width - inset))A\##(n(r)) \##(n(r)) 0 0 1 \##(n(width - r)) \##(n(height))H\##(n(r))A\##(n(r)) \##(n(r)) 0 0 1 \##(n(inset)) \##(n(top))Z" fill="\##(color)"/>"##
    }

    private static func photoBox(_ base64: String?) -> String {
        let p = photo
        var s = ##"<rect x="\##(n(p.x))" y="\##(n(p.y))" width="\##(n(p.width))" height="\##(n(p.height))" rx="8" fill="#e9eeeb"/>"##
        if let base64 {
            s += ##"<image x="\##(n(p.x))" y="\##(n(p.y))" width="\##(n(p.width))" height="\##(n(p.height))" preserveAspectRatio="xMidYMid slice" href="data:image/jpeg;base64,\##(base64)"/>"##
        } else {
            // Neutral head-and-shoulders silhouette.
            let cx = p.x + p.width / 2
            let bottom = p.y + p.height
            s += ##"<g fill="#b8c4be">"##
            s += ##"<circle cx="\##(n(cx))" cy="\##(n(p.y + 82))" r="40"/>"##
            s += ##"<path d="M\##(n(p.x + 22)) \##(n(bottom))C\##(n(p.x + 22)) \##(n(bottom - 62)) \##(n(cx - 46)) \##(n(bottom - 88)) \##(n(cx)) \##(n(bottom - 88))C\##(n(cx + 46)) \##(n(bottom - 88)) \##(n(p.x + p.width - 22)) \##(n(bottom - 62)) \##(n(p.x + p.width - 22)) \##(n(bottom))Z"/>"##
            s += "</g>"
        }
        s += ##"<rect x="\##(n(p.x + 0.75))" y="\##(n(p.y + 0.75))" width="\##(n(p.width - 1.5))" height="\##(n(p.height - 1.5))" rx="8" fill="none" stroke="#c7d0cb" stroke-width="1.5"/>"##
        return s
    }

    private static func text(
        _ fitted: Fitter.Fitted, x: Double, firstBaseline: Double, fill: String, opacity: Double? = nil,
        weight: Fitter.Weight = .regular, family: String? = nil, anchor: String? = nil,
        letterSpacing: Double? = nil, lineHeight: Double = 1.2
    ) -> String {
        var attributes = ##"x="\##(n(x))" font-size="\##(n(fitted.fontSize))" fill="\##(fill)""##
        if let opacity { attributes += ##" fill-opacity="\##(n(opacity))""## }
        if weight == .bold { attributes += ##" font-weight="bold""## }
        if let family { attributes += ##" font-family="\##(family)""## }
        if let anchor { attributes += ##" text-anchor="\##(anchor)""## }
        if let letterSpacing { attributes += ##" letter-spacing="\##(n(letterSpacing))""## }
        var s = ""
        for (i, line) in fitted.lines.enumerated() {
            let y = firstBaseline + Double(i) * lineHeight * fitted.fontSize
            var extra = ""
            if fitted.squeezed[i] {
                extra = ##" textLength="\##(n(fitted.width))" lengthAdjust="spacingAndGlyphs""##
            }
            s += ##"<text \##(attributes) y="\##(n(y))"\##(extra)>\##(XML.escape(line))</text>"##
        }
        return s
    }

    // MARK: Input

    /// Collapses runs of whitespace (including line breaks) to one space, drops control
    /// characters XML cannot hold, and trims.
    static func clean(_ s: String) -> String {
        var out = ""
        var pendingSpace = false
        for scalar in s.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                pendingSpace = !out.isEmpty
                continue
            }
            if scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
            if pendingSpace { out.unicodeScalars.append(" "); pendingSpace = false }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    static func isHexColor(_ s: String) -> Bool {
        let hex = s.utf8.dropFirst()
        return s.first == "#" && (hex.count == 3 || hex.count == 6)
            && hex.allSatisfy { (48...57).contains($0) || (65...70).contains($0) || (97...102).contains($0) }
    }

    /// True for a light `#rgb`/`#rrggbb` colour (relative luminance above 0.4), on which
    /// white text would be hard to read.
    static func isLight(_ hex: String) -> Bool {
        var digits = Array(hex.dropFirst())
        if digits.count == 3 { digits = digits.flatMap { [$0, $0] } }
        let channels = stride(from: 0, to: 6, by: 2).map { Double(Int(String(digits[$0...$0 + 1]), radix: 16)!) / 255 }
        let linear = channels.map { $0 <= 0.04045 ? $0 / 12.92 : pow(($0 + 0.055) / 1.055, 2.4) }
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2] > 0.4
    }

    /// The base64 text without prefix or whitespace, if it holds a JPEG; nil if empty.
    static func validatedPhoto(_ raw: String) throws -> String? {
        var s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.isEmpty { return nil }
        for prefix in ["data:image/jpeg;base64,", "data:image/jpg;base64,"] where s.lowercased().hasPrefix(prefix) {
            s.removeFirst(prefix.count)
        }
        s = String(s.unicodeScalars.filter { !$0.properties.isWhitespace })
        guard s.utf8.allSatisfy({ Self.isBase64Byte($0) }),
              let data = Data(base64Encoded: s), data.count > 3,
              data.prefix(3).elementsEqual([0xFF, 0xD8, 0xFF])
        else { throw CardRenderError.invalidPhoto }
        return s
    }

    private static func isBase64Byte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
            true
        default:
            false
        }
    }

    private static func n(_ v: Double) -> String { SVGNumber.format(v) }
}

/// XML text and attribute escaping.
enum XML {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                // Characters XML 1.0 cannot hold at all are dropped.
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Fits text into a width by estimating its advance with DejaVu Sans metrics (the wider
/// of the two fonts the card names, so Noto Sans comes out a little narrower). Text that
/// cannot fit at the smallest size is squeezed with `textLength`.
enum Fitter {
    enum Weight { case regular, bold }

    struct Fitted {
        var lines: [String]
        var fontSize: Double
        /// Room available for every line.
        var width: Double
        /// Per line: estimated wider than `width`, so drawn with `textLength`.
        var squeezed: [Bool]

        init(lines: [String], fontSize: Double, width: Double, squeezed: [Bool]? = nil) {
            self.lines = lines
            self.fontSize = fontSize
            self.width = width
            self.squeezed = squeezed ?? Array(repeating: false, count: lines.count)
        }
    }

    /// A full name: one line at 44 down to 32, else two balanced lines at 38 down to 24.
    static func fitName(_ text: String, width: Double) -> Fitted {
        for size in stride(from: 44.0, through: 32, by: -2) where measure(text, size: size, weight: .bold) <= width {
            return Fitted(lines: [text], fontSize: size, width: width)
        }
        let lines = balancedTwoLines(text, size: 24, weight: .bold)
        for size in stride(from: 38.0, through: 24, by: -1)
        where lines.allSatisfy({ measure($0, size: size, weight: .bold) <= width }) {
            return Fitted(lines: lines, fontSize: size, width: width)
        }
        return squeezeIfNeeded(lines, size: 24, width: width, weight: .bold)
    }

    /// Largest size at which `text` fits on `maxLines` lines (greedy wrapping; with
    /// `breakAfterCommas`, lines prefer to end after a comma). With `fewerLinesFirst`,
    /// one line at any of the sizes beats two lines at a larger one.
    static func fit(
        _ text: String, width: Double, sizes: [Double], maxLines: Int, weight: Weight,
        letterSpacing: Double = 0, breakAfterCommas: Bool = false, fewerLinesFirst: Bool = false
    ) -> Fitted {
        precondition(!sizes.isEmpty && maxLines >= 1)
        var lines: [String] = [text]
        for allowed in fewerLinesFirst ? Array(1...maxLines) : [maxLines] {
            for size in sizes {
                lines = allowed == 1
                    ? [text]
                    : wrap(text, width: width, size: size, weight: weight, breakAfterCommas: breakAfterCommas)
                if lines.count <= allowed,
                   lines.allSatisfy({ measure($0, size: size, weight: weight, letterSpacing: letterSpacing) <= width }) {
                    return Fitted(lines: lines, fontSize: size, width: width)
                }
            }
        }
        // Too long even at the smallest size: keep maxLines lines and squeeze.
        if lines.count > maxLines {
            lines = Array(lines.prefix(maxLines - 1)) + [lines.dropFirst(maxLines - 1).joined(separator: " ")]
        }
        return squeezeIfNeeded(lines, size: sizes.last!, width: width, weight: weight, letterSpacing: letterSpacing)
    }

    /// Monospaced text on one line (0.602 em per character in both mono fonts).
    static func fitMonospace(_ text: String, width: Double, maximumSize: Double, minimumSize: Double) -> Fitted {
        let perEm = 0.602 * Double(text.count)
        let size = min(maximumSize, (width / perEm * 2).rounded(.down) / 2)
        if size >= minimumSize { return Fitted(lines: [text], fontSize: size, width: width) }
        let shrunk = max(minimumFontSize, size)
        return Fitted(lines: [text], fontSize: shrunk, width: width, squeezed: [perEm * shrunk > width])
    }

    /// Smallest font size ever used: 1.4 mm.
    static let minimumFontSize = 14.0

    /// Lines too wide at `size`: shrink the font until the widest fits (not below
    /// `minimumFontSize`); if even that is too wide, `textLength` squeezes the line.
    private static func squeezeIfNeeded(
        _ lines: [String], size: Double, width: Double, weight: Weight, letterSpacing: Double = 0
    ) -> Fitted {
        let widest = lines.map { measure($0, size: size, weight: weight, letterSpacing: letterSpacing) }.max() ?? 0
        var fitted = size
        if widest > width {
            fitted = max(minimumFontSize, (size * width / widest * 2).rounded(.down) / 2)
        }
        return Fitted(lines: lines, fontSize: fitted, width: width,
                      squeezed: lines.map { measure($0, size: fitted, weight: weight, letterSpacing: letterSpacing) > width })
    }

    /// Splits at the space (or after the hyphen) that makes the wider of the two lines as
    /// narrow as possible.
    static func balancedTwoLines(_ text: String, size: Double, weight: Weight) -> [String] {
        // Break opportunities: a space (dropped at the break) or just after a hyphen (kept).
        var breaks: [(first: String, second: String)] = []
        let characters = Array(text)
        for (i, c) in characters.enumerated() where i > 0 && i < characters.count - 1 {
            if c == " " {
                breaks.append((String(characters[..<i]), String(characters[(i + 1)...])))
            } else if c == "-", characters[i + 1] != " " {
                breaks.append((String(characters[...i]), String(characters[(i + 1)...])))
            }
        }
        var best: (lines: [String], widest: Double)?
        for (first, second) in breaks {
            let a = first.trimmingCharacters(in: .whitespaces), b = second.trimmingCharacters(in: .whitespaces)
            guard !a.isEmpty, !b.isEmpty else { continue }
            let widest = max(measure(a, size: size, weight: weight), measure(b, size: size, weight: weight))
            if best == nil || widest < best!.widest { best = ([a, b], widest) }
        }
        return best?.lines ?? [text]
    }

    static func wrap(_ text: String, width: Double, size: Double, weight: Weight, breakAfterCommas: Bool) -> [String] {
        let fits = { (s: String) in measure(s, size: size, weight: weight) <= width }
        let pieces: [String]
        if breakAfterCommas {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            pieces = parts.enumerated().map { $0.offset < parts.count - 1 ? $0.element + "," : $0.element }
                .filter { !$0.isEmpty }
        } else {
            pieces = [text]
        }
        var lines: [String] = []
        var current = ""
        for piece in pieces {
            let joined = current.isEmpty ? piece : current + " " + piece
            if fits(joined) { current = joined; continue }
            if !current.isEmpty, fits(piece) { lines.append(current); current = piece; continue }
            // Word by word, continuing the current line.
            for word in piece.split(separator: " ").map(String.init) {
                let candidate = current.isEmpty ? word : current + " " + word
                if fits(candidate) || current.isEmpty { current = candidate } else { lines.append(current); current = word }
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.isEmpty ? [""] : lines
    }

    /// Estimated advance width of `text` at `size`.
    static func measure(_ text: String, size: Double, weight: Weight, letterSpacing: Double = 0) -> Double {
        var em = 0.0
        var count = 0
        for character in text {
            count += 1
            guard let scalar = character.unicodeScalars.first else { continue }
            if scalar.isASCII, scalar.value >= 32, scalar.value < 127 {
                em += advance[Int(scalar.value) - 32]
            } else if scalar.properties.generalCategory == .nonspacingMark {
                continue
            } else {
                em += 0.72
            }
        }
        return em * size * (weight == .bold ? 1.12 : 1) + Double(count) * letterSpacing
    }

    /// DejaVu Sans advance widths (em) for ASCII 32…126.
    private static let advance: [Double] = [
        0.318, 0.401, 0.460, 0.838, 0.636, 0.950, 0.780, 0.275, 0.390, 0.390, 0.500, 0.838, 0.318, 0.361, 0.318, 0.337,  // space…/
        0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.337, 0.337, 0.838, 0.838, 0.838, 0.531,  // 0…?
        1.000, 0.684, 0.686, 0.698, 0.770, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787,  // @…O
        0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685, 0.390, 0.337, 0.390, 0.838, 0.500,  // P…_
        0.500, 0.613, 0.635, 0.550, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612,  // `…o
        0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525, 0.636, 0.337, 0.636, 0.838,  // p…~
    ]
}
