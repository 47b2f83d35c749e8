import Foundation
import Testing
@testable import SimpulCard

@Suite("Kode QR")
struct QRCodeTests {
    @Test(arguments: [QRCode.ErrorCorrection.low, .medium])
    func shortTextIsVersionOne(level: QRCode.ErrorCorrection) throws {
        let qr = try QRCode("KTA 0001", level: level)
        #expect(qr.version == 1)
        #expect(qr.size == 21)
    }

    @Test func sizeGrowsWithLength() throws {
        var previous = 0
        for length in [10, 40, 100, 300, 1000, 2000] {
            let qr = try QRCode(String(repeating: "x", count: length))
            #expect(qr.size == 17 + 4 * qr.version)
            #expect(qr.size > previous, "\(length) bytes")
            previous = qr.size
        }
    }

    @Test func higherLevelNeedsMoreModules() throws {
        let text = "https://simpul.example.id/kta/3673011001-000123-7"
        let sizes = try QRCode.ErrorCorrection.allCases.map { try QRCode(text, level: $0).size }
        #expect(sizes == sizes.sorted())
        #expect(sizes.first! < sizes.last!)
    }

    @Test func finderPatternsAtThreeCorners() throws {
        let qr = try QRCode("https://simpul.example.id/kta/3673011001-000123-7")
        let corners = [(0, 0), (qr.size - 7, 0), (0, qr.size - 7)]
        for (left, top) in corners {
            for dy in 0..<7 {
                for dx in 0..<7 {
                    // Chebyshev rings around the centre: 3 = dark border, 2 = light ring, ≤ 1 = dark 3×3.
                    let ring = max(abs(dx - 3), abs(dy - 3))
                    #expect(qr.isDark(x: left + dx, y: top + dy) == (ring != 2), "corner (\(left), \(top)) +(\(dx), \(dy))")
                }
            }
        }
        // Separators: the light row and column next to each finder pattern.
        for i in 0..<8 {
            #expect(!qr.isDark(x: 7, y: i) && !qr.isDark(x: i, y: 7))
            #expect(!qr.isDark(x: qr.size - 8, y: i) && !qr.isDark(x: qr.size - 8 + i, y: 7))
            #expect(!qr.isDark(x: 7, y: qr.size - 8 + i) && !qr.isDark(x: i, y: qr.size - 8))
        }
        // No finder pattern in the bottom-right corner.
        #expect(!(0..<7).allSatisfy { qr.isDark(x: qr.size - 1, y: qr.size - 7 + $0) })
    }

    @Test func outsideTheSymbolIsLight() throws {
        let qr = try QRCode("a")
        #expect(qr.isDark(x: 0, y: 0))
        #expect(!qr.isDark(x: -1, y: 0) && !qr.isDark(x: 0, y: -1))
        #expect(!qr.isDark(x: qr.size, y: 0) && !qr.isDark(x: 0, y: qr.size))
    }

    @Test func deterministic() throws {
        let text = "https://simpul.example.id/kta/3673011001-000123-7"
        let a = try QRCode(text), b = try QRCode(text)
        #expect(a == b)
        #expect(a.svgPath() == b.svgPath())
        #expect(a.svg(size: 300) == b.svg(size: 300))
    }

    @Test func caseSensitiveAndNonASCII() throws {
        #expect(try QRCode("https://x.id/AbC") != QRCode("https://x.id/abc"))
        let text = "Kartu Anggota — Siti Nurhaliza ✓ Đặng 日本"
        let qr = try QRCode(text)
        #expect(qr.size >= 25)  // 52 UTF-8 bytes do not fit version 1
        #expect(try qr == QRCode(text))
        #expect(try qr != QRCode("Kartu Anggota - Siti Nurhaliza v Dang ri ben"))
    }

    @Test func badInputIsRejectedInIndonesian() {
        #expect(throws: QRCodeError.emptyText) { try QRCode("") }
        #expect(throws: QRCodeError.containsNullCharacter) { try QRCode("a\u{0}b") }
        #expect(throws: QRCodeError.tooLong(byteCount: 1300, maximum: 1273)) {
            try QRCode(String(repeating: "x", count: 1300), level: .high)
        }
        #expect(throws: Never.self) { try QRCode(String(repeating: "x", count: 1273), level: .high) }
        #expect(QRCodeError.emptyText.message.contains("kosong"))
        #expect(QRCodeError.tooLong(byteCount: 3000, maximum: 2331).message.contains("terlalu panjang"))
    }

    @Test(arguments: [(1.0, 0.0, 0.0), (2.5, 10.0, 4.0), (6.552, 611.5, 290.25)])
    func svgPathDrawsExactlyTheDarkModules(moduleSize: Double, originX: Double, originY: Double) throws {
        let qr = try QRCode("https://simpul.example.id/kta/3673011001-000123-7?ü=1")
        let path = qr.svgPath(moduleSize: moduleSize, origin: (originX, originY))
        let rects = try parsePath(path)
        var grid = Array(repeating: Array(repeating: false, count: qr.size), count: qr.size)
        for r in rects {
            let x = (r.x - originX) / moduleSize, y = (r.y - originY) / moduleSize
            let w = r.width / moduleSize
            #expect(abs(r.height - moduleSize) < 0.001)
            let col = Int(x.rounded()), row = Int(y.rounded()), run = Int(w.rounded())
            #expect(abs(x - Double(col)) < 0.01 && abs(y - Double(row)) < 0.01 && abs(w - Double(run)) < 0.01)
            for c in col..<(col + run) {
                #expect(!grid[row][c], "module (\(c), \(row)) drawn twice")
                grid[row][c] = true
            }
        }
        for y in 0..<qr.size {
            for x in 0..<qr.size {
                #expect(grid[y][x] == qr.isDark(x: x, y: y), "module (\(x), \(y))")
            }
        }
        // Horizontal runs are merged: fewer rectangles than dark modules.
        let dark = (0..<qr.size).flatMap { y in (0..<qr.size).filter { qr.isDark(x: $0, y: y) } }.count
        #expect(rects.count < dark * 2 / 3)
    }

    @Test func standaloneSVGHasQuietZone() throws {
        let qr = try QRCode("KTA 0001")
        let svg = qr.svg(size: 256)
        let document = try XMLTree.parse(svg)
        #expect(document.name == "svg")
        #expect(document.attributes["width"] == "256" && document.attributes["height"] == "256")
        #expect(document.attributes["viewBox"] == "0 0 29 29")
        let path = try #require(document.first("path")?.attributes["d"])
        let rects = try parsePath(path)
        #expect(rects.map(\.x).min() == 4 && rects.map(\.y).min() == 4)
        #expect(rects.map { $0.x + $0.width }.max() == 25 && rects.map { $0.y + $0.height }.max() == 25)
    }
}

/// One `M x y h w v h h -w z` rectangle of an `svgPath`.
struct PathRect { var x, y, width, height: Double }

/// Parses a path made only of `M x y h w v h h -w z` rectangles; throws on anything else.
func parsePath(_ d: String) throws -> [PathRect] {
    let number = #"(-?\d+(?:\.\d+)?)"#
    let regex = try NSRegularExpression(pattern: "M\(number) \(number)h\(number)v\(number)h-\(number)z")
    let whole = NSRange(d.startIndex..., in: d)
    var rects: [PathRect] = []
    var covered = 0
    for match in regex.matches(in: d, range: whole) {
        #expect(match.range.location == covered, "unexpected text in path at \(covered)")
        covered = match.range.location + match.range.length
        let values = (1...5).map { Double(String(d[Range(match.range(at: $0), in: d)!]))! }
        #expect(values[2] == values[4], "rectangle does not close")
        rects.append(PathRect(x: values[0], y: values[1], width: values[2], height: values[3]))
    }
    #expect(covered == whole.length, "path has text the parser does not understand")
    return rects
}
