import Foundation
import Testing

/// The README and the reference in docs/ link to each other, to scenarios and to headings; a renamed file or
/// heading must not leave a dead link behind.
@Suite("README and docs/: every relative link and #anchor resolves")
struct DocumentationLinksTests {
    /// README.md and every Markdown file in docs/, relative to the repository root.
    static let documents: [String] = {
        let docs = CLI.root.appendingPathComponent("docs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: docs.path)) ?? []
        return ["README.md"] + names.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }()

    @Test("the README and the reference pages are found")
    func documentsAreFound() {
        for page in ["README.md", "docs/README.md", "docs/cli.md", "docs/exit-codes-and-signals.md", "docs/figures.md"] {
            #expect(Self.documents.contains(page), "\(page) missing from \(Self.documents)")
        }
    }

    @Test("every relative link points at a file of the repository, every #anchor at one of its headings",
          arguments: documents)
    func linksResolve(_ document: String) throws {
        let file = CLI.root.appendingPathComponent(document)
        let text = try String(contentsOf: file, encoding: .utf8)
        let problems = try MarkdownLinks.problems(in: text, at: file, root: CLI.root)
        #expect(problems.isEmpty, "\(document):\n\(problems.joined(separator: "\n"))")
    }

    @Test("every code fence is closed (an unclosed one turns the rest of the page into code and hides its links)",
          arguments: documents)
    func fencesAreClosed(_ document: String) throws {
        let text = try String(contentsOf: CLI.root.appendingPathComponent(document), encoding: .utf8)
        #expect(MarkdownLinks.unclosedFence(in: text) == nil, "\(document): the code fence on line \(MarkdownLinks.unclosedFence(in: text) ?? 0) is never closed")
        #expect(MarkdownLinks.unclosedFence(in: text + "\n```\n") != nil)
    }

    @Test("the README links into docs/, and the links it has are checked")
    func readmeLinksAreChecked() throws {
        let readme = try String(contentsOf: CLI.root.appendingPathComponent("README.md"), encoding: .utf8)
        let targets = try MarkdownLinks.relativeLinks(in: readme).map(\.target)
        #expect(targets.contains("docs/cli.md#json-output"))
        #expect(targets.contains("docs/exit-codes-and-signals.md"))
        #expect(!targets.contains { $0.hasPrefix("http") })
    }

    @Test("anchors follow GitHub's rule: lowercase, spaces to '-', punctuation dropped", arguments: [
        ("Speed and memory (`nexus-sim bench`)", "speed-and-memory-nexus-sim-bench"),
        ("M/M/c against Erlang C", "mmc-against-erlang-c"),
        ("Support chat (the README’s scenario)", "support-chat-the-readmes-scenario"),
        ("Traffic spike: step policy against the HPA", "traffic-spike-step-policy-against-the-hpa"),
        ("$50 a day is not a $1000 month, and $1000 buys 1.4 % of the month",
         "50-a-day-is-not-a-1000-month-and-1000-buys-14--of-the-month"),
        ("Scale-out: shards and merge", "scale-out-shards-and-merge"),
        ("The [CLI](cli.md) and snake_case keys", "the-cli-and-snake_case-keys"),
    ])
    func githubAnchor(heading: String, anchor: String) throws {
        #expect(try MarkdownLinks.anchor(of: heading) == anchor)
    }

    @Test("a repeated heading gets -1, -2; closing #s are not text; a # in a code block is not a heading")
    func repeatedHeadings() throws {
        let text = "# Setup\n\n## Setup\n\n```sh\n# not a heading\n```\n\n### Setup ###\n#### C#\n<a id=\"custom\"></a>\n"
        #expect(try MarkdownLinks.anchors(in: text) == ["setup", "setup-1", "setup-2", "c", "custom"])
        #expect(MarkdownLinks.unclosedFence(in: text) == nil)
        #expect(MarkdownLinks.unclosedFence(in: "# A\n\n```\nok\n```\n\n~~~\n```\n") == 7)
    }

    @Test("a missing file, a missing heading and a link out of the repository are reported; URLs and code are not links")
    func brokenLinksAreReported() throws {
        let base = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("repo")
        let docs = root.appendingPathComponent("docs")
        try FileManager.default.createDirectory(at: docs, withIntermediateDirectories: true)
        try "# Other page\n\n## Exit codes (stable)\n".write(to: docs.appendingPathComponent("other.md"), atomically: true, encoding: .utf8)
        try "# Not ours\n".write(to: base.appendingPathComponent("outside.md"), atomically: true, encoding: .utf8)
        let page = docs.appendingPathComponent("page.md")
        let text = """
            # Page

            Good: [other](other.md), [its heading](other.md#exit-codes-stable), [here](#page), [up](../docs/),
            [web](https://example.com/missing.md), `[in code](missing.md)`, ![image](other.md "title").

            ```
            [in a block](missing-too.md)
            ```

            Bad: [gone](gone.md) and [no heading](other.md#exit-codes) and [outside](../../outside.md).
            """
        try text.write(to: page, atomically: true, encoding: .utf8)
        let links = try MarkdownLinks.relativeLinks(in: text).map(\.target)
        #expect(links == ["other.md", "other.md#exit-codes-stable", "#page", "../docs/", "other.md",
                          "gone.md", "other.md#exit-codes", "../../outside.md"])
        let problems = try MarkdownLinks.problems(in: text, at: page, root: root)
        #expect(problems.count == 3, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("line 10: (gone.md): no such file") })
        #expect(problems.contains { $0.hasPrefix("line 10: (other.md#exit-codes): other.md has no heading") })
        #expect(problems.contains { $0.hasPrefix("line 10: (../../outside.md):") && $0.hasSuffix("is outside the repository") })
    }
}
