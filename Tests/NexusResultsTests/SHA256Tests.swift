import NexusResults
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    @Test("FIPS 180-4 example vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func standardVectors(input: String, expected: String) {
        #expect(SHA256.hexDigest(of: input) == expected)
        #expect(SHA256.hexDigest(of: Array(input.utf8)) == expected)
    }

    @Test("one million 'a'")
    func millionA() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hexDigest(of: input) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the 64-byte block and the 56-byte padding boundary, checked
    /// against coreutils `sha256sum`.
    @Test("padding boundaries", arguments: [
        (55, "e16d47de25004cfd0a1de56f71fca1be9884e4d68d8379a95565b24e8c50e2ec"),
        (56, "7f1df9709d444c6bf40fdf3ff64416a58eec249c006f8acf3941038113b164fd"),
        (63, "4979773f034382afc67876e511dd21b26278352b42cf09f3e4cf13411cf49ab8"),
        (64, "1f2e90cd341d31f06e6f75ff39b53af7bd1ad366c374ab9f3744f402041b8a71"),
        (65, "e29e158ad40678c67c0baed4b5a79e77701d41e54a1f6925bce9291a925b33f9"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        let alphabet = String(repeating: "0123456789abcdefghijklmnopqrstuvwxyz", count: 3)
        let input = String(alphabet.prefix(length))
        #expect(input.utf8.count == length)
        #expect(SHA256.hexDigest(of: input) == expected)
    }

    @Test("text is hashed as UTF-8")
    func utf8Text() {
        let expected = "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c"  // printf 'é' | sha256sum
        #expect(SHA256.hexDigest(of: "é") == expected)
        #expect(SHA256.hexDigest(of: [0xC3, 0xA9]) == expected)
    }
}
