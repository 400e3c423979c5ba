import NexusResults
import Testing

@Suite("Run parameters JSON")
struct RunParametersJSONTests {
    @Test("keeps the given key order and escapes quotes, backslashes and control characters")
    func orderAndEscaping() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            let parameters = [
                ("zeta", "1"),
                ("alpha", "say \"hi\"\\path\nnext"),
                ("control", "\u{01}\t\u{1F}"),
                ("unicode", "débit → 5"),
                ("key \"quoted\"", ""),
            ]
            let id = try store.beginRun(sampleRunRecord(parameters: parameters))
            let run = try #require(try store.run(id: id))
            let expected = #"{"zeta":"1","alpha":"say \"hi\"\\path\nnext","control":"\u0001\t\u001f","#
                + #""unicode":"débit → 5","key \"quoted\"":""}"#
            #expect(run.parametersJSON == expected)
        }
    }

    @Test("no overrides are stored as an empty object")
    func emptyObject() throws {
        try withTemporaryStorePath { path in
            let store = try ResultsStore(path: path)
            var record = sampleRunRecord(parameters: [])
            record.overrides = []
            let id = try store.beginRun(record)
            let run = try #require(try store.run(id: id))
            #expect(run.parametersJSON == "{}")
            #expect(run.overridesJSON == "{}")
        }
    }
}
