import Foundation

/// Bounds on a scenario document, checked on its text before YAML composes it, so that no input can make
/// the loader use unbounded memory, time or stack.
///
/// - A scenario file is at most ``maximumBytes`` (1 MiB; the bundled ones are under 20 KiB).
/// - Collections nest at most ``maximumDepth`` levels deep (the bundled scenarios nest 6).
/// - YAML aliases (`*name`) may expand the document to at most ``maximumExpandedValues`` values. The size is
///   computed on the composed document, where an alias is shared rather than copied, before anything is
///   expanded: an alias bomb is refused at its first alias in time proportional to its own size.
public enum YAMLLimits {
    /// Most values (scalars, keys, lists and mappings) a document may have once its aliases are expanded.
    public static let maximumExpandedValues = 100_000
    /// Largest scenario document accepted, in bytes of UTF-8.
    public static let maximumBytes = 1 << 20
    /// Deepest nesting of mappings and lists accepted.
    public static let maximumDepth = 64

    /// Refuses text that is too large or nests too deeply, with the line and column where the limit was passed.
    ///
    /// The depth is an upper estimate read from the text alone — block indentation levels, `- ` entries that
    /// open a list on the same line, and open flow brackets outside quotes and comments — so it never
    /// under-counts what the YAML parser would build.
    static func check(_ text: String, file: String) throws {
        let bytes = text.utf8.count
        if bytes > maximumBytes {
            throw ScenarioError(location: .file(file, line: 1, column: 1), keyPath: "",
                                message: "the document is \(bytes) bytes; at most \(maximumBytes) bytes (1 MiB) are accepted")
        }
        var indents: [Int] = []  // indentation of the enclosing block lines
        var flowDepth = 0
        var line = 0
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            line += 1
            let chars = Array(rawLine)
            var i = 0
            while i < chars.count, chars[i] == UInt8(ascii: " ") { i += 1 }
            guard i < chars.count, chars[i] != UInt8(ascii: "#"), chars[i] != UInt8(ascii: "\r") else { continue }
            if flowDepth == 0 {
                while let top = indents.last, top >= i { indents.removeLast() }
                indents.append(i)
            }
            // `- - x` opens one list per dash.
            var dashes = 0
            var j = i
            while j + 1 < chars.count, chars[j] == UInt8(ascii: "-"), chars[j + 1] == UInt8(ascii: " ") {
                dashes += 1
                j += 2
                while j < chars.count, chars[j] == UInt8(ascii: " ") { j += 1 }
            }
            var quote: UInt8?
            var previous = UInt8(ascii: " ")
            while j < chars.count {
                let c = chars[j]
                if let q = quote {
                    if c == UInt8(ascii: "\\"), q == UInt8(ascii: "\"") { j += 2; continue }
                    if c == q { quote = nil }
                } else if c == UInt8(ascii: "#"), previous == UInt8(ascii: " ") {
                    break
                } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'"), " [{,:".utf8.contains(previous) {
                    quote = c
                } else if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                    flowDepth += 1
                } else if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                    flowDepth = max(0, flowDepth - 1)
                }
                let depth = indents.count + dashes + flowDepth
                if depth > maximumDepth {
                    throw ScenarioError(location: .file(file, line: line, column: j + 1), keyPath: "",
                                        message: "the document nests more than \(maximumDepth) levels deep here; at most \(maximumDepth) are accepted")
                }
                previous = c
                j += 1
            }
            if indents.count + dashes + flowDepth > maximumDepth {
                throw ScenarioError(location: .file(file, line: line, column: i + 1), keyPath: "",
                                    message: "the document nests more than \(maximumDepth) levels deep here; at most \(maximumDepth) are accepted")
            }
        }
    }
}
