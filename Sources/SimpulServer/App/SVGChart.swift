import Foundation
import SimpulCore

/// Bar charts for the electoral pages on top of SimpulCore.ChartDrawing (server-rendered
/// SVG, labels escaped there, embedded with #unsafeHTML), plus Indonesian number format.
enum SVGChart {
    struct Bar {
        let label: String
        let value: Double
        /// Drawn in the accent colour (e.g. our party).
        var highlight = false
        /// Shown after the bar; defaults to the value.
        var caption: String?
    }

    /// Horizontal bars, one row each, scaled to the largest value (or `maximum`); drawn
    /// by SimpulCore.ChartDrawing, the highlighted bar (e.g. our party) in the alarm tone.
    static func bars(_ bars: [Bar], title: String, maximum: Double? = nil, width: Int = 360) -> String {
        ChartDrawing.bars(bars.map {
            ChartBar(label: $0.label, value: Int64($0.value.rounded()), valueText: $0.caption ?? number($0.value),
                     tone: $0.highlight ? .bad : .muted)
        }, title: title, scaleMax: maximum.map { Int64($0.rounded()) }, width: width)
    }

    /// Indonesian thousands separators: 12.345.
    static func number(_ value: Double) -> String { IndonesianNumber.grouped(Int(value.rounded())) }

    static func number(_ value: Int) -> String { IndonesianNumber.grouped(value) }

}
