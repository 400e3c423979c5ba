import Foundation
import NexusGateway

/// Ticks for a chart over simulated time, labelled in wall-clock time from `simulation.start` (UTC): clock
/// times (`09:00`, with the date at midnight) for runs up to two days, dates (`Dec 3`) beyond.
struct TimeAxis: Sendable {
    /// Wall-clock time of simulated time 0, seconds since 1970-01-01T00:00:00Z.
    var startEpochSeconds: Double

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let steps: [Double] = [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800]

    /// The axis label, e.g. `time (UTC) from 2026-12-01 00:00`.
    func label(_ range: ClosedRange<Double>) -> String {
        "time (UTC), from " + dateTime(range.lowerBound)
    }

    /// `2026-12-01 09:30` at simulated second `t`.
    func dateTime(_ t: Double) -> String {
        let (day, seconds) = split(t)
        let d = CivilTime.date(days: day)
        return String(format: "%04d-%02d-%02d %02d:%02d", d.year, d.month, d.day, seconds / 3600, seconds % 3600 / 60)
    }

    private func split(_ t: Double) -> (day: Int64, secondsIntoDay: Int) {
        let wall = Int64((startEpochSeconds + t).rounded(.down))
        let day = wall >= 0 ? wall / 86_400 : -((-wall + 86_399) / 86_400)
        return (day, Int(wall - day * 86_400))
    }

    /// About six ticks over `range` (simulated seconds), at round wall-clock times.
    func ticks(_ range: ClosedRange<Double>) -> [(x: Double, label: String)] {
        let span = max(range.upperBound - range.lowerBound, 1)
        let step = Self.steps.first { span / $0 <= 8 } ?? (span / 8 / 604_800).rounded(.up) * 604_800
        // Align to multiples of the step in wall-clock time (days from midnight UTC).
        let firstWall = ((startEpochSeconds + range.lowerBound) / step).rounded(.up) * step
        var out: [(Double, String)] = []
        var wall = firstWall
        while wall - startEpochSeconds <= range.upperBound + 1e-6 {
            let t = wall - startEpochSeconds
            let (day, seconds) = split(t)
            let d = CivilTime.date(days: day)
            let date = "\(Self.months[d.month - 1]) \(d.day)"
            if step >= 86_400 {
                out.append((t, date))
            } else {
                let clock = String(format: "%02d:%02d", seconds / 3600, seconds % 3600 / 60)
                out.append((t, seconds == 0 ? date : clock))
            }
            wall += step
        }
        return out
    }
}
