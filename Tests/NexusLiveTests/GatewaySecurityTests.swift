import Foundation
import Testing
@testable import NexusLive

/// Client keys, scopes and the audit log.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct GatewaySecurityTests {
    static let financeKey = "sk-finance-0123456789"
    static let opsKey = "sk-ops-abcdef"

    static func keysFile() throws -> String {
        let path = LiveFixture.temporaryPath("keys.json")
        let text = """
            {"keys": [
              {"id": "finance-app", "sha256": "\(SHA256.hexDigest(financeKey))", "user": "ann", "team": "finance",
               "tiers": ["standard"], "classifications": ["public", "internal"]},
              {"id": "ops", "sha256": "\(SHA256.hexDigest(opsKey))", "team": "ops"}
            ]}
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func keysAreRequiredAndScoped() async throws {
        let keys = try Self.keysFile()
        let harness = try await GatewayHarness.start(LiveFixture.scenario(), keysFile: keys)
        defer { Task { await harness.stop() } }
        let none = try await harness.chat()
        #expect(none.status == 401)
        #expect(none.errorCode == "missing_api_key")
        let wrong = try await harness.chat(headers: ["authorization": "Bearer sk-nope"])
        #expect(wrong.status == 401)
        #expect(wrong.errorCode == "invalid_api_key")
        let finance = ["authorization": "Bearer \(Self.financeKey)"]
        #expect(try await harness.chat(headers: finance).status == 200)
        let tier = try await harness.chat(model: "secure", headers: finance)
        #expect(tier.status == 403)
        #expect(tier.errorCode == "tier_not_allowed")
        let data = try await harness.chat(headers: finance.merging(["x-nexus-classification": "confidential"]) { a, _ in a })
        #expect(data.status == 403)
        #expect(data.errorCode == "classification_not_allowed")
        // A key without scopes may use every tier and classification.
        let ops = try await harness.chat(model: "secure", headers: ["authorization": "Bearer \(Self.opsKey)", "x-nexus-classification": "confidential"])
        #expect(ops.status == 200)
        #expect(try await harness.send("GET", "/v1/models").status == 401)
        // The key never reaches an upstream: the gateway sends the provider's own key (none here).
        #expect(harness.upstream.calls.allSatisfy { $0.authorization == nil })
    }

    @Test func theKeysFileIsCheckedPrecisely() throws {
        func error(_ text: String) -> String? {
            do {
                _ = try ClientKeyStore(fileContents: Array(text.utf8), path: "keys.json", tierNames: ["standard"])
                return nil
            } catch {
                return error.description
            }
        }
        let digest = SHA256.hexDigest("k")
        #expect(error(#"{"keys": [{"id": "a", "sha256": "abc"}]}"#)?.hasPrefix("keys.json: keys[0].sha256: expected the key's SHA-256") == true)
        #expect(error(#"{"keys": [{"id": "a", "sha256": "\#(digest)", "tiers": ["gold"]}]}"#)
            == "keys.json: keys[0].tiers: no tier 'gold' in the scenario; tiers: standard")
        #expect(error(#"{"keys": [{"id": "a", "sha256": "\#(digest)", "scope": []}]}"#)?.contains("keys[0].scope: unknown key") == true)
        #expect(error(#"{"keys": [{"id": "a", "sha256": "\#(digest)"}, {"id": "a", "sha256": "\#(SHA256.hexDigest("j"))"}]}"#)
            == "keys.json: keys[1].id: the id 'a' is used twice")
        #expect(error(#"{"keys": [{"id": "a", "sha256": "\#(digest)", "classifications": ["secret"]}]}"#)?.contains("'secret' is not one of") == true)
        #expect(error("{\"keys\": [\n}")?.hasPrefix("keys.json: line 2, column 1") == true)
        #expect(error(#"{"keys": [{"id": "a", "sha256": "\#(digest)"}]}"#) == nil)
    }

    @Test func withoutKeysOnlyLoopbackClientsAreServed() async throws {
        let harness = try await GatewayHarness.start(LiveFixture.scenario())
        defer { Task { await harness.stop() } }
        #expect(harness.gateway.startupNotes.contains { $0.contains("accepting loopback clients only") })
        #expect(try await harness.chat().status == 200)
        if case .failure(let error) = harness.gateway.authorize(authorization: nil, remoteIsLoopback: false) {
            #expect(error.status == 403 && error.code == "loopback_only")
        } else {
            Issue.record("a remote client was accepted without keys")
        }
    }

    @Test func theAuditLogHasOneLinePerCallAndNoPromptText() async throws {
        let keys = try Self.keysFile()
        let audit = LiveFixture.temporaryPath("audit.jsonl")
        let harness = try await GatewayHarness.start(LiveFixture.scenario(budget: "budget: {monthly: $100, action: block}"),
                                                     keysFile: keys, auditLog: audit) { upstream in
            upstream.script("alpha", [.answer(text: "the secret answer", promptTokens: 10, completionTokens: 5)])
        }
        defer { Task { await harness.stop() } }
        let finance = ["authorization": "Bearer \(Self.financeKey)"]
        #expect(try await harness.chat(prompt: "my secret prompt", headers: finance).status == 200)
        #expect(try await harness.chat(model: "secure", prompt: "my secret prompt", headers: finance).status == 403)
        // The audit line is written when the exchange ends, just after the reply.
        var lines: [Substring] = []
        for _ in 0..<100 {
            lines = (try? String(contentsOfFile: audit, encoding: .utf8))?.split(separator: "\n") ?? []
            if lines.count >= 2 { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(lines.count == 2)
        let text = lines.joined(separator: "\n")
        #expect(!text.contains("secret prompt") && !text.contains("secret answer") && !text.contains(Self.financeKey))
        let records = try lines.map { try JSONParser.parse(String($0)).objectValue }
        let first = records.first { $0?["status"] == .integer(200) } ?? nil
        #expect(first?["key_id"] == .string("finance-app"))
        #expect(first?["user"] == .string("ann"))
        #expect(first?["team"] == .string("finance"))
        #expect(first?["tier"] == .string("standard"))
        #expect(first?["classification"] == .string("internal"))
        #expect(first?["endpoint"] == .string("alpha/a1"))
        #expect(first?["attempts"] == .integer(1))
        #expect(first?["status"] == .integer(200))
        #expect(first?["prompt_tokens"] == .integer(10))
        #expect(first?["completion_tokens"] == .integer(5))
        #expect(first?["cost_usd"]?.doubleValue.map { abs($0 - 0.00002) < 1e-12 } == true)
        #expect(first?["cache"] == .string("bypass"))
        #expect(first?["budget"] == .string("allowed"))
        let second = records.first { $0?["status"] == .integer(403) } ?? nil
        #expect(second?["failure"] == .string("tier_not_allowed"))
        #expect(second?["endpoint"] == .null)
    }
}
