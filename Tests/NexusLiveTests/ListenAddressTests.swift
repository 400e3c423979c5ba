import Testing
@testable import NexusLive

@Suite struct ListenAddressTests {
    @Test func parsesHostAndPort() throws {
        let address = try ListenAddress(parsing: "127.0.0.1:8080")
        #expect(address.host == "127.0.0.1" && address.port == 8080)
        #expect(address.isLoopback)
        #expect(address.description == "127.0.0.1:8080")
    }

    @Test func parsesBracketedIPv6() throws {
        let address = try ListenAddress(parsing: "[::1]:0")
        #expect(address.host == "::1" && address.port == 0)
        #expect(address.isLoopback)
        #expect(address.description == "[::1]:0")
    }

    @Test func publicAddressIsNotLoopback() throws {
        #expect(try !ListenAddress(parsing: "0.0.0.0:80").isLoopback)
    }

    @Test(arguments: ["8080", "localhost", ":8080", "host:", "host:65536", "host:-1", "host:8o80", "::1:80", "[::1]80", "[::1", "a b:80", "host:123456"])
    func refusesMalformed(_ text: String) {
        #expect(throws: ListenAddressError.self) { try ListenAddress(parsing: text) }
    }
}
