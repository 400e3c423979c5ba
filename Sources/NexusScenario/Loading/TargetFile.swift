import Foundation

/// A targets file for `nexus-sim gate --targets FILE`: one target per line, e.g. `p95_latency < 2s`.
///
/// Blank lines and `#` comments are ignored; a leading `- ` (as in the scenario's YAML list) is allowed,
/// so a `targets:` block can be pasted as is. Errors carry the file, line and column.
public enum TargetFile {
    /// Reads and parses the targets in the file at `path`.
    public static func load(path: String) throws -> [TargetSpec] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioError(location: nil, keyPath: "", message: "cannot read targets file '\(path)': \(error.localizedDescription)")
        }
        return try parse(text: text, file: path)
    }

    /// Parses targets from `text`, naming `file` in errors.
    public static func parse(text: String, file: String) throws -> [TargetSpec] {
        var targets: [TargetSpec] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(rawLine)
            if let hash = line.firstIndex(of: "#") { line = String(line[..<hash]) }
            line = line.replacingOccurrences(of: "\r", with: "")
            let leading = line.prefix { $0 == " " || $0 == "\t" }.count
            var body = String(line.dropFirst(leading))
            var column = leading + 1
            if body.hasPrefix("- ") {
                body.removeFirst(2)
                column += 2
            }
            // A quoted target, as YAML would allow.
            if body.count >= 2, let q = body.first, q == "\"" || q == "'", body.trimmingCharacters(in: .whitespaces).last == q {
                body = String(body.trimmingCharacters(in: .whitespaces).dropFirst().dropLast())
                column += 1
            }
            guard !body.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            targets.append(try TargetSpec.parse(body, location: .file(file, line: index + 1, column: column),
                                                keyPath: "targets[\(targets.count)]"))
        }
        guard !targets.isEmpty else {
            throw ScenarioError(location: .file(file, line: 1, column: 1), keyPath: "",
                                message: "the targets file has no targets; write one per line, e.g. 'p95_latency < 2s'")
        }
        return targets
    }
}
