/// MSER-5 (White, Cobb & Spratt 2000): the warm-up truncation that minimises the marginal standard error
/// of the mean of what is left.
///
/// The series is cut into batches of five observations; with batch means `Z₁…Z_b`, the truncation `d`
/// (in batches, `0 ≤ d < b/2`) minimises `Σ_{j>d} (Z_j − Z̄_d)² / (b − d)²`. Observations that are NaN
/// (a window in which nothing finished) are left out of their batch's mean; a batch with none is skipped.
public enum MSER5 {
    /// Observations per batch.
    public static let batchSize = 5

    /// The number of leading observations (a multiple of five) to delete from `series`.
    /// Returns 0 when the series has fewer than two batches.
    public static func truncation(_ series: [Double]) -> Int {
        let batches = stride(from: 0, to: series.count - batchSize + 1, by: batchSize).map { start -> Double in
            let finite = series[start..<start + batchSize].filter(\.isFinite)
            return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
        }
        guard batches.count >= 2 else { return 0 }
        var best = (batches: 0, statistic: Double.infinity)
        for d in 0..<(batches.count / 2) {
            let kept = batches[d...].filter(\.isFinite)
            guard kept.count >= 2 else { break }
            let n = Double(kept.count)
            let mean = kept.reduce(0, +) / n
            let statistic = kept.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n * n)
            if statistic < best.statistic { best = (d, statistic) }
        }
        return best.batches * batchSize
    }
}
