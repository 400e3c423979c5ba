extension Field {
    /// An upstream API root: `http://` or `https://`, a host, an optional port and path; no query, fragment,
    /// credentials or spaces (keys come from `api_key_env`, never from the URL). A trailing `/` is dropped.
    func upstreamBaseURL() throws -> String {
        let text = try self.text()
        let lower = text.lowercased()
        let scheme = lower.hasPrefix("https://") ? "https://" : lower.hasPrefix("http://") ? "http://" : nil
        guard let scheme else {
            throw error("expected an http:// or https:// URL, found '\(text)'")
        }
        let rest = text.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" }
        guard !authority.isEmpty else { throw error("the URL '\(text)' has no host") }
        if authority.contains("@") {
            throw error("the URL '\(text)' contains credentials; put the key in an environment variable named by 'api_key_env'")
        }
        if let bad = text.first(where: { $0 == "?" || $0 == "#" || $0.isWhitespace }) {
            throw error("the URL '\(text)' may not contain '\(bad == " " ? "a space" : String(bad))'; give the API root, e.g. https://api.openai.com/v1")
        }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            let port = authority[authority.index(after: colon)...]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber),
                  let number = Int(port), (1...65_535).contains(number)
            else { throw error("the URL '\(text)' has an invalid port '\(port)'; expected 1 to 65535") }
        }
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// An environment variable name: letters, digits and `_`, not starting with a digit.
    func environmentVariableName() throws -> String {
        let text = try self.text()
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
              text.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) })
        else { throw error("expected an environment variable name (letters, digits and '_', not starting with a digit), found '\(text)'") }
        return text
    }
}
