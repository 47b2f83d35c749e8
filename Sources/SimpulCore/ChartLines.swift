/// Line charts for progress over time (actual counts against a plan line), drawn like the
/// bar charts: SVG text, presentation attributes only, every text escaped.
public struct ChartSeries: Equatable, Sendable {
    public enum Stroke: String, Sendable { case solid, dashed, dotted }

    public let label: String
    /// (x, y) with x in days from the chart's first day.
    public let points: [(x: Int, y: Double)]
    public let tone: ChartBar.Tone
    public let stroke: Stroke

    public init(label: String, points: [(x: Int, y: Double)], tone: ChartBar.Tone, stroke: Stroke = .solid) {
        self.label = label
        self.points = points
        self.tone = tone
        self.stroke = stroke
    }

    public static func == (a: ChartSeries, b: ChartSeries) -> Bool {
        a.label == b.label && a.tone == b.tone && a.stroke == b.stroke
            && a.points.count == b.points.count && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
    }
}

extension ChartDrawing {
    /// Lines over a shared x axis of `days` days, y from 0 to the largest value; a legend
    /// row on top, `xLabels` (x, text) under the axis, and a horizontal rule at `goal`.
    public static func lines(_ series: [ChartSeries], title: String, days: Int, xLabels: [(x: Int, text: String)] = [],
                             goal: Double? = nil, width: Int = 360, height: Int = 200) -> String {
        let left = 34, top = 26, bottom = 20, right = 8
        let plotW = width - left - right, plotH = height - top - bottom
        let maxY = max(1, (series.flatMap { $0.points.map { $0.y } } + [goal ?? 0]).max() ?? 1)
        let spanX = max(1, days)
        func px(_ x: Int) -> Int { left + min(plotW, max(0, x * plotW / spanX)) }
        func py(_ y: Double) -> Int { top + plotH - Int((y / maxY * Double(plotH)).rounded()) }
        var svg = open(title: title, width: width, height: height)
        // Legend.
        var lx = 0
        for s in series {
            svg += "<rect x=\"\(lx)\" y=\"6\" width=\"14\" height=\"4\" fill=\"\(color(s.tone))\"/>"
            svg += "<text x=\"\(lx + 18)\" y=\"12\" font-size=\"11\" fill=\"#1d2433\">\(escape(s.label))</text>"
            lx += 26 + s.label.count * 6
        }
        // Axes and the y scale (0 and the top value).
        svg += "<rect x=\"\(left)\" y=\"\(top + plotH)\" width=\"\(plotW)\" height=\"1\" fill=\"#b9c0cc\"/>"
        svg += "<text x=\"\(left - 4)\" y=\"\(top + plotH)\" font-size=\"10\" text-anchor=\"end\" fill=\"#5b6475\">0</text>"
        svg += "<text x=\"\(left - 4)\" y=\"\(top + 8)\" font-size=\"10\" text-anchor=\"end\" fill=\"#5b6475\">\(Int(maxY.rounded()))</text>"
        if let goal {
            svg += "<rect x=\"\(left)\" y=\"\(py(goal))\" width=\"\(plotW)\" height=\"1\" fill=\"#1d2433\" opacity=\"0.35\"/>"
        }
        for (x, text) in xLabels {
            svg += "<text x=\"\(px(x))\" y=\"\(height - 4)\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5b6475\">\(escape(text))</text>"
        }
        for s in series where !s.points.isEmpty {
            let d = s.points.enumerated().map { i, p in "\(i == 0 ? "M" : "L")\(px(p.x)) \(py(p.y))" }.joined(separator: " ")
            let dash = s.stroke == .dashed ? " stroke-dasharray=\"6 4\"" : s.stroke == .dotted ? " stroke-dasharray=\"2 3\"" : ""
            svg += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color(s.tone))\" stroke-width=\"2.5\"\(dash)/>"
            if s.points.count == 1, let p = s.points.first {
                svg += "<circle cx=\"\(px(p.x))\" cy=\"\(py(p.y))\" r=\"3\" fill=\"\(color(s.tone))\"/>"
            }
        }
        return svg + "</svg>"
    }
}
