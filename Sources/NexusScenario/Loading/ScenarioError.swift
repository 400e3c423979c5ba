/// Where a value came from: a position in a file, or a command-line flag.
public enum SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// 1-based line and column in `file`.
    case file(String, line: Int, column: Int)
    /// A value given on the command line, e.g. `--set gateway.instances=4`.
    case commandLine(String)

    public var description: String {
        switch self {
        case let .file(file, line, column): "\(file):\(line):\(column)"
        case let .commandLine(flag): "command line (\(flag))"
        }
    }
}

/// A scenario that cannot be used, with everything needed to fix it: where, which key, what was
/// expected, what was found, and for a misspelling the nearest valid name.
public struct ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation?
    /// Dotted key path, e.g. `traffic.classes[1].share`. Empty for the document itself.
    public var keyPath: String
    public var message: String
    /// The nearest valid key or name, when the error is a misspelling.
    public var suggestion: String?

    public init(location: SourceLocation?, keyPath: String, message: String, suggestion: String? = nil) {
        self.location = location
        self.keyPath = keyPath
        self.message = message
        self.suggestion = suggestion
    }

    public var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += "error: "
        if !keyPath.isEmpty { text += "\(keyPath): " }
        text += message
        if let suggestion { text += " (did you mean '\(suggestion)'?)" }
        return text
    }
}

/// The candidate nearest to `word` by edit distance, if it is close enough to be a plausible misspelling.
func nearest(to word: String, in candidates: some Sequence<String>) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
    // Plausible: at most a third of the longer word changed (always allow one edit), or a prefix match.
    let limit = max(1, max(word.count, best.0.count) / 3)
    if best.1 <= limit || best.0.lowercased().hasPrefix(word.lowercased()) && word.count >= 3 { return best.0 }
    return nil
}

/// Damerau–Levenshtein distance (optimal string alignment): insertions, deletions, substitutions and
/// transpositions of adjacent characters each cost 1.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
