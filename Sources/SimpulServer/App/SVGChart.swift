import Foundation

/// Small server-rendered SVG charts (no JavaScript, no CDN): they print, work on cheap
/// phones, and need no third-party code. Every label is XML-escaped here, so templates
/// embed the result with #unsafeHTML.
enum SVGChart {
    struct Bar {
        let label: String
        let value: Double
        /// Drawn in the accent colour (e.g. our party).
        var highlight = false
        /// Shown after the bar; defaults to the value.
        var caption: String?
    }

    /// Horizontal bars, one row each, scaled to the largest value (or `maximum`).
    static func bars(_ bars: [Bar], title: String, maximum: Double? = nil, width: Int = 360) -> String {
        let rowHeight = 22, labelWidth = 96, captionWidth = 64
        let plot = width - labelWidth - captionWidth
        let top = max(maximum ?? 0, bars.map(\.value).max() ?? 0, 1)
        var out = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(bars.count * rowHeight + 4)\" role=\"img\" aria-label=\"\(escape(title))\">"
        out += "<title>\(escape(title))</title>"
        for (i, bar) in bars.enumerated() {
            let y = i * rowHeight + 2
            let length = max(0, Int((bar.value / top * Double(plot)).rounded()))
            out += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 15)\" text-anchor=\"end\" font-size=\"12\">\(escape(bar.label))</text>"
            out += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(length)\" height=\"16\" rx=\"2\" fill=\"\(bar.highlight ? "#c0392b" : "#7f8c9a")\"/>"
            out += "<text x=\"\(labelWidth + length + 4)\" y=\"\(y + 15)\" font-size=\"12\">\(escape(bar.caption ?? Self.number(bar.value)))</text>"
        }
        return out + "</svg>"
    }

    /// Indonesian thousands separators: 12.345.
    static func number(_ value: Double) -> String {
        let n = Int(value.rounded())
        let digits = String(abs(n))
        var groups: [String] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(String(digits[start..<end]), at: 0)
            end = start
        }
        return (n < 0 ? "-" : "") + groups.joined(separator: ".")
    }

    static func number(_ value: Int) -> String { number(Double(value)) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
