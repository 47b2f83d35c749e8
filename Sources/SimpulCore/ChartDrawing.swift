/// Small charts as SVG text, drawn on the server: no JavaScript, no external files, and
/// only presentation attributes (no inline styles), so the strict Content-Security-Policy
/// holds. Every text is XML-escaped.

public struct ChartBar: Equatable, Sendable {
    public enum Tone: String, Sendable { case normal, ok, warn, bad, muted }

    public let label: String
    public let value: Int64
    /// What is printed at the end of the bar ("12", "Rp 125.000.000").
    public let valueText: String
    public let tone: Tone
    /// A tick across the bar: a threshold or a target.
    public let marker: Int64?
    /// A lighter bar behind the value, e.g. what was pledged.
    public let ghost: Int64?

    public init(label: String, value: Int64, valueText: String? = nil, tone: Tone = .normal, marker: Int64? = nil, ghost: Int64? = nil) {
        self.label = label
        self.value = value
        self.valueText = valueText ?? String(value)
        self.tone = tone
        self.marker = marker
        self.ghost = ghost
    }
}

public enum ChartDrawing {
    static func color(_ tone: ChartBar.Tone) -> String {
        switch tone {
        case .normal: return "#0b5d3b"
        case .ok: return "#2f8f5b"
        case .warn: return "#c98a00"
        case .bad: return "#a3261b"
        case .muted: return "#9aa3b0"
        }
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Length in whole pixels of `value` on a scale where `max` fills `width`.
    public static func length(_ value: Int64, max: Int64, width: Int) -> Int {
        guard max > 0, value > 0 else { return 0 }
        return Int(min(Int64(width), (value * Int64(width) + max / 2) / max))
    }

    /// Horizontal bars, one row per bar: the label above, the bar below with its value.
    /// `scaleMax` fixes the scale (default: the largest value, marker or ghost).
    public static func bars(_ rows: [ChartBar], title: String, scaleMax: Int64? = nil, width: Int = 360) -> String {
        let rowHeight = 38
        let height = max(1, rows.count) * rowHeight + 4
        let barArea = width - 96
        let top = scaleMax ?? rows.map { Swift.max($0.value, $0.marker ?? 0, $0.ghost ?? 0) }.max() ?? 0
        var svg = open(title: title, width: width, height: height)
        if rows.isEmpty {
            svg += "<text x=\"0\" y=\"20\" font-size=\"13\" fill=\"#5b6475\">Belum ada data</text>"
        }
        for (i, row) in rows.enumerated() {
            let y = i * rowHeight
            svg += "<text x=\"0\" y=\"\(y + 13)\" font-size=\"13\" fill=\"#1d2433\">\(escape(row.label))</text>"
            svg += "<rect x=\"0\" y=\"\(y + 18)\" width=\"\(barArea)\" height=\"14\" rx=\"3\" fill=\"#eef0f3\"/>"
            if let ghost = row.ghost {
                svg += "<rect x=\"0\" y=\"\(y + 18)\" width=\"\(length(ghost, max: top, width: barArea))\" height=\"14\" rx=\"3\" fill=\"#b8dcc6\"/>"
            }
            svg += "<rect x=\"0\" y=\"\(y + 18)\" width=\"\(length(row.value, max: top, width: barArea))\" height=\"14\" rx=\"3\" fill=\"\(color(row.tone))\"/>"
            if let marker = row.marker {
                let x = length(marker, max: top, width: barArea)
                svg += "<rect x=\"\(Swift.max(0, x - 1))\" y=\"\(y + 15)\" width=\"2\" height=\"20\" fill=\"#1d2433\"/>"
            }
            svg += "<text x=\"\(barArea + 6)\" y=\"\(y + 30)\" font-size=\"12\" fill=\"#1d2433\">\(escape(row.valueText))</text>"
        }
        return svg + "</svg>"
    }

    /// Vertical columns with the value on top and the label below (e.g. age buckets).
    public static func columns(_ rows: [ChartBar], title: String, width: Int = 360, height: Int = 170) -> String {
        let chartTop = 18, labelSpace = 22
        let plot = height - chartTop - labelSpace
        let top = rows.map(\.value).max() ?? 0
        let slot = rows.isEmpty ? width : width / rows.count
        let barWidth = Swift.max(8, slot * 3 / 5)
        var svg = open(title: title, width: width, height: height)
        svg += "<rect x=\"0\" y=\"\(chartTop + plot)\" width=\"\(width)\" height=\"1\" fill=\"#b9c0cc\"/>"
        for (i, row) in rows.enumerated() {
            let h = length(row.value, max: top, width: plot)
            let x = i * slot + (slot - barWidth) / 2
            let centre = i * slot + slot / 2
            svg += "<rect x=\"\(x)\" y=\"\(chartTop + plot - h)\" width=\"\(barWidth)\" height=\"\(h)\" rx=\"2\" fill=\"\(color(row.tone))\"/>"
            svg += "<text x=\"\(centre)\" y=\"\(chartTop + plot - h - 4)\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1d2433\">\(escape(row.valueText))</text>"
            svg += "<text x=\"\(centre)\" y=\"\(height - 6)\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5b6475\">\(escape(row.label))</text>"
        }
        return svg + "</svg>"
    }

    static func open(title: String, width: Int, height: Int) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" role=\"img\" aria-label=\"\(escape(title))\" "
            + "font-family=\"system-ui, sans-serif\"><title>\(escape(title))</title>"
    }
}
