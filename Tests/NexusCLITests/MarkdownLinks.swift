import Foundation

/// The relative links and heading anchors of a Markdown file, resolved as GitHub resolves them: a link's path
/// is relative to the file's folder, and `#anchor` names a heading by its slug (lowercase, spaces to `-`,
/// punctuation dropped, `-1`, `-2`, … after repeated headings). Links and headings inside fenced code blocks
/// and inline code are not links or headings.
enum MarkdownLinks {
    /// A link found in a Markdown text: its 1-based line and its target as written (`path#anchor`).
    struct Link: Equatable {
        var line: Int
        var target: String
    }

    /// One line of a Markdown text outside fenced code blocks.
    struct Line {
        var number: Int
        var text: String
    }

    /// The lines of `text` that are outside fenced code blocks (``` or ~~~, indented at most three spaces).
    static func linesOutsideCode(_ text: String) -> [Line] {
        scanFences(text).outside
    }

    /// The line of a code fence that is never closed (everything after it renders as code), or `nil`.
    static func unclosedFence(in text: String) -> Int? {
        scanFences(text).unclosedFence
    }

    private static func scanFences(_ text: String) -> (outside: [Line], unclosedFence: Int?) {
        var lines: [Line] = []
        var openFence: (marker: String, line: Int)?
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = line.drop(while: { $0 == " " })
            let marker: String? = line.count - trimmed.count > 3 ? nil
                : trimmed.hasPrefix("```") ? "```" : trimmed.hasPrefix("~~~") ? "~~~" : nil
            if let marker {
                guard let current = openFence else {
                    openFence = (marker: marker, line: index + 1)
                    continue
                }
                if current.marker == marker {
                    openFence = nil
                    continue
                }
            }
            if openFence == nil { lines.append(Line(number: index + 1, text: line)) }
        }
        return (outside: lines, unclosedFence: openFence?.line)
    }

    /// GitHub's anchor of a heading's text: a link keeps its text, letters and digits are lowercased, spaces
    /// become `-`, `-` and `_` stay, everything else (punctuation, backticks, symbols) is dropped.
    static func anchor(of heading: String) throws -> String {
        let text = try regex(#"!?\[([^\]]*)\]\([^)]*\)"#).stringByReplacingMatches(
            in: heading, options: [], range: NSRange(heading.startIndex..., in: heading), withTemplate: "$1")
        var slug = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || character == "-" || character == "_" {
                slug.append(character)
            } else if character == " " {
                slug.append("-")
            }
        }
        return slug
    }

    /// Every anchor a Markdown text defines: one per ATX heading (`#` to `######`), numbered like GitHub's
    /// when a slug repeats, plus the `id` or `name` of HTML `<a>` elements.
    static func anchors(in text: String) throws -> [String] {
        var anchors: [String] = []
        var seen: [String: Int] = [:]
        let heading = try regex(#"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$"#)
        let html = try regex(#"<a\s+(?:id|name)="([^"]+)""#)
        for line in linesOutsideCode(text) {
            anchors.append(contentsOf: captures(of: html, in: line.text))
            guard let title = captures(of: heading, in: line.text).first else { continue }
            let slug = try anchor(of: title.trimmingCharacters(in: .whitespaces))
            let count = seen[slug, default: 0]
            seen[slug] = count + 1
            anchors.append(count == 0 ? slug : "\(slug)-\(count)")
        }
        return anchors
    }

    /// The links of a Markdown text whose target is relative (no URL scheme such as `https:` or `mailto:`),
    /// images included; links inside code are left out.
    static func relativeLinks(in text: String) throws -> [Link] {
        let code = try regex(#"(`+).*?\1"#)
        let link = try regex(#"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)"#)
        let scheme = try regex(#"^[A-Za-z][A-Za-z0-9+.-]*:"#)
        var links: [Link] = []
        for line in linesOutsideCode(text) {
            let prose = code.stringByReplacingMatches(in: line.text, options: [], range: NSRange(line.text.startIndex..., in: line.text),
                                                      withTemplate: "")
            for target in captures(of: link, in: prose) where !matches(scheme, target) {
                links.append(Link(line: line.number, target: target))
            }
        }
        return links
    }

    /// What is wrong with the relative links of `text`, the content of `file`: a target that does not exist,
    /// one outside `root`, or an anchor that is not a heading of the Markdown file it names. Empty when every
    /// link resolves.
    static func problems(in text: String, at file: URL, root: URL) throws -> [String] {
        let rootPath = root.standardizedFileURL.resolvingSymlinksInPath().path
        var problems: [String] = []
        for link in try relativeLinks(in: text) {
            let parts = link.target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let path = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let anchor = parts.count > 1 ? String(parts[1]) : ""
            let target = (path.isEmpty ? file : file.deletingLastPathComponent().appendingPathComponent(path))
                .standardizedFileURL.resolvingSymlinksInPath()
            let place = "line \(link.line): (\(link.target))"
            guard FileManager.default.fileExists(atPath: target.path) else {
                problems.append("\(place): no such file \(target.path)")
                continue
            }
            guard target.path == rootPath || target.path.hasPrefix(rootPath + "/") else {
                problems.append("\(place): \(target.path) is outside the repository")
                continue
            }
            guard !anchor.isEmpty, target.pathExtension == "md" else { continue }
            guard let targetText = try? String(contentsOf: target, encoding: .utf8) else {
                problems.append("\(place): cannot read \(target.path)")
                continue
            }
            if try !anchors(in: targetText).contains(anchor) {
                problems.append("\(place): \(target.lastPathComponent) has no heading with the anchor #\(anchor)")
            }
        }
        return problems
    }

    private static func regex(_ pattern: String) throws -> NSRegularExpression {
        try NSRegularExpression(pattern: pattern)
    }

    /// The first capture group of every match of `regex` in `text`.
    private static func captures(of regex: NSRegularExpression, in text: String) -> [String] {
        regex.matches(in: text, options: [], range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    private static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, options: [], range: NSRange(text.startIndex..., in: text)) != nil
    }
}
