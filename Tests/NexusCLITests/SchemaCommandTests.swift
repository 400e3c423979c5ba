import Foundation
import Testing

/// `nexus-sim schema`, and `validate`'s warnings and `extends` as the command line sees them.
@Suite struct SchemaCommandTests {
    @Test func printsTheCommittedSchema() throws {
        let r = try CLI.run(["schema"])
        #expect(r.status == 0, "\(r.stderr)")
        let committed = try String(contentsOf: CLI.root.appendingPathComponent("docs/scenario.schema.json"), encoding: .utf8)
        #expect(r.stdout == committed)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(object?["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }

    @Test func validateWarnsOfAClassNoModelMayReceiveAndExitsZero() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("leaky.yaml")
        var text = try String(contentsOf: CLI.root.appendingPathComponent(CLI.mmc), encoding: .utf8)
        text = text.replacingOccurrences(of: "classifications: [public, internal, confidential, restricted]", with: "classifications: [public]")
        text = text.replacingOccurrences(of: "tier: only, input_tokens", with: "tier: only, classification: confidential, input_tokens")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let line = lines.firstIndex { $0.contains("classification: confidential") }! + 1
        let column = lines[line - 1].distance(from: lines[line - 1].startIndex, to: lines[line - 1].range(of: "confidential")!.lowerBound) + 1
        let r = try CLI.run(["validate", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ok"))
        #expect(r.stderr.contains("\(file.path):\(line):\(column): warning: traffic.classes[0]: class "), "\(r.stderr)")
        #expect(r.stderr.contains("no_compliant_route"))
    }

    @Test func validateAcceptsAnExtendingFileAndLocatesInheritedErrors() throws {
        let dir = try CLI.temporaryDirectory()
        let base = dir.appendingPathComponent("base.yaml")
        let text = try String(contentsOf: CLI.root.appendingPathComponent(CLI.mmc), encoding: .utf8)
        try text.replacingOccurrences(of: "  concurrency: 1", with: "  concurrency: 0").write(to: base, atomically: true, encoding: .utf8)
        let variant = dir.appendingPathComponent("variant.yaml")
        try "extends: base.yaml\nname: variant\n".write(to: variant, atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("concurrency: 1") }! + 1
        let bad = try CLI.run(["validate", variant.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("\(base.path):\(line):16: error: gateway.concurrency:"), "\(bad.stderr)")
        let fixed = try CLI.run(["validate", variant.path, "--set", "gateway.concurrency=1"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stdout.contains("scenario 'variant'"))
    }
}
