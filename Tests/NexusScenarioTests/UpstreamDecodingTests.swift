import NexusScenario
import Testing

/// `providers[].base_url` and `api_key_env`: the live gateway's upstream of a provider, checked where it is read.
@Suite("Upstream keys")
struct UpstreamDecodingTests {
    @Test func readsTheUpstreamURLAndKeyVariable() throws {
        let scenario = try parse(try replacing("classifications: [public, internal]",
                                               with: "classifications: [public, internal]\n    base_url: https://api.openai.com/v1/\n    api_key_env: OPENAI_API_KEY"))
        #expect(scenario.providers[0].baseURL == "https://api.openai.com/v1")
        #expect(scenario.providers[0].apiKeyEnvironmentVariable == "OPENAI_API_KEY")
        let plain = try parse(Fixture.minimal)
        #expect(plain.providers[0].baseURL == nil && plain.providers[0].apiKeyEnvironmentVariable == nil)
    }

    @Test(arguments: [
        ("ftp://host/v1", "expected an http:// or https:// URL, found 'ftp://host/v1'"),
        ("https:///v1", "the URL 'https:///v1' has no host"),
        ("https://user:pw@host/v1", "the URL 'https://user:pw@host/v1' contains credentials; put the key in an environment variable named by 'api_key_env'"),
        ("https://host/v1?key=1", "the URL 'https://host/v1?key=1' may not contain '?'; give the API root, e.g. https://api.openai.com/v1"),
        ("http://host:99999/v1", "the URL 'http://host:99999/v1' has an invalid port '99999'; expected 1 to 65535"),
    ])
    func rejectsABadURL(url: String, message: String) throws {
        let error = try parseError(try replacing("classifications: [public, internal]",
                                                 with: "classifications: [public, internal]\n    base_url: \"\(url)\""))
        #expect(error.keyPath == "providers[0].base_url")
        #expect(error.message == message)
        #expect(error.location.map { "\($0)" }?.hasPrefix("test.yaml:10:") == true)
    }

    @Test func rejectsABadVariableName() throws {
        let error = try parseError(try replacing("classifications: [public, internal]",
                                                 with: "classifications: [public, internal]\n    api_key_env: 1KEY"))
        #expect(error.keyPath == "providers[0].api_key_env")
        #expect(error.message == "expected an environment variable name (letters, digits and '_', not starting with a digit), found '1KEY'")
    }
}
