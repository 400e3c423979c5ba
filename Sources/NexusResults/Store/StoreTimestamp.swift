import Foundation

/// The timestamp format of the `created_at`/`finished_at` columns:
/// ISO-8601 in UTC with milliseconds, e.g. `2025-03-01T12:00:00.250Z`.
/// Fixed-width text so timestamps also sort correctly as strings.
enum StoreTimestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    static func text(_ date: Date) -> String {
        style.format(date)
    }

    static func date(_ text: String) -> Date? {
        try? style.parse(text)
    }
}
