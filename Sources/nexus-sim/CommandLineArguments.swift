/// Adjustments to the raw arguments and the parser's messages, so that common mistakes get a message that
/// says what is allowed.
enum CommandLineArguments {
    /// Joins `--option -5` into `--option=-5`: the parser takes any word starting with `-` for an option, so a
    /// negative value would be reported as a missing one; joined, it reaches the option's own range check.
    static func normalized(_ arguments: [String]) -> [String] {
        strayNegatives = []
        var result: [String] = []
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            if word == "--" {
                result += arguments[i...]
                break
            }
            if word.hasPrefix("--"), word.count > 2, !word.contains("="), i + 1 < arguments.count,
               looksNegative(arguments[i + 1]) {
                result.append("\(word)=\(arguments[i + 1])")
                i += 2
                continue
            }
            if looksNegative(word) { strayNegatives.append(word) }
            result.append(word)
            i += 1
        }
        return result
    }

    /// Negative numbers not joined to an option (a positional value such as a run id): the parser reads them as
    /// options, so its message gets a hint.
    nonisolated(unsafe) private static var strayNegatives: [String] = []

    /// `-5`, `-0.5`, `-.5`, `-1e3`, `-2%`, `-1/4`: a negative number, not an option.
    static func looksNegative(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word.count > 1 else { return false }
        let rest = word.dropFirst()
        let first = rest.first!
        return first.isNumber || (first == "." && rest.dropFirst().first?.isNumber == true)
    }

    /// What each numeric option accepts, for the parser's "The value … is invalid" message.
    static let allowedValues: [String: String] = [
        "seed": "a whole number from 0 to 18446744073709551615",
        "replications": "a whole number of at least 1",
        "max-replications": "a whole number of at least 2",
        "threads": "a whole number of at least 1",
    ]

    /// The parser's message with what the option accepts added, where it says a value is invalid, and a
    /// hint where a negative number was taken for an option.
    static func explained(_ message: String) -> String {
        var lines = message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return message }
        let first = lines[0]
        if first.contains("is invalid for '--"), let open = first.range(of: "for '--") {
            let name = first[open.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }
            if let allowed = allowedValues[String(name)] { lines[0] = first + "; expected \(allowed)" }
        } else if let word = strayNegatives.first {
            lines[0] = first + " ('\(word)' was read as an option: a negative number is not a valid value here; "
                + "run ids, counts and seeds are whole numbers ≥ 0)"
        }
        return lines.joined(separator: "\n")
    }
}
