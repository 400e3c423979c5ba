import Foundation

/// Number formats for people: thousands grouped, dollars with cents, counts abbreviated.
enum ReportFormat {
    /// `1,234,567` (rounded to a whole number).
    static func grouped(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        let digits = String(format: "%.0f", abs(x).rounded())
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (x < 0 && digits != "0" ? "-" : "") + out
    }

    /// `$1,234.56`; below a dollar `$0.0123` (four significant digits); `–` when not finite.
    static func usd(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        let sign = x < 0 ? "-" : ""
        let a = abs(x)
        if a >= 1 || a == 0 {
            let cents = Int64((a * 100).rounded())
            return sign + "$" + grouped(Double(cents / 100)) + String(format: ".%02lld", cents % 100)
        }
        return sign + "$" + String(format: "%.4g", a)
    }

    /// `24.8M`, `312.5k`, `950`.
    static func count(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        let a = abs(x)
        if a >= 1e6 { return String(format: "%.2fM", x / 1e6) }
        if a >= 1e4 { return String(format: "%.1fk", x / 1e3) }
        if a >= 100 { return grouped(x) }
        return a == a.rounded() ? String(format: "%.0f", x) : String(format: "%.1f", x)
    }

    /// `99.95 %` from 0.9995.
    static func percent(_ fraction: Double, digits: Int = 2) -> String {
        fraction.isFinite ? String(format: "%.\(digits)f %%", fraction * 100) : "–"
    }

    /// `850 ms`, `1.25 s`.
    static func millis(_ ms: Double) -> String {
        guard ms.isFinite else { return "–" }
        return abs(ms) >= 1000 ? String(format: "%.2f s", ms / 1000) : String(format: "%.0f ms", ms)
    }
}
