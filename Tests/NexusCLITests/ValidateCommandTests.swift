import Foundation
import Testing

@Suite struct ValidateCommandTests {
    @Test(arguments: ["Scenarios/validation/mmc.yaml", "Scenarios/baseline.yaml"])
    func shippedScenariosValidate(_ path: String) throws {
        let r = try CLI.run(["validate", path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ok"))
    }

    @Test func misspeltKeyIsReportedWithLocationAndSuggestion() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("broken.yaml")
        var text = try String(contentsOf: CLI.root.appendingPathComponent(CLI.mmc), encoding: .utf8)
        text = text.replacingOccurrences(of: "  concurrency: 1", with: "  concurency: 1")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("concurency") }! + 1
        let r = try CLI.run(["validate", file.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(file.path):\(line):3: error: gateway.concurency: unknown key 'concurency'"))
        #expect(r.stderr.contains("did you mean 'concurrency'?"))
    }

    @Test func unknownParameterIsRejected() throws {
        let r = try CLI.run(["validate", CLI.mmc, "--param", "server=3"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown parameter 'server'"))
        #expect(r.stderr.contains("did you mean 'servers'?"))
    }

    @Test func missingFileIsInvalidInput() throws {
        let r = try CLI.run(["validate", "no/such/file.yaml"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot read scenario file 'no/such/file.yaml'"))
    }
}
