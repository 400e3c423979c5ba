/// Where a live server listens: a host and a TCP port, as given to `--listen HOST:PORT`.
///
/// IPv6 hosts are written in brackets (`[::1]:8080`). Port 0 asks the system for a free (ephemeral) port,
/// which is what the loopback tests use.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host name or address to bind, without brackets (`127.0.0.1`, `::1`, `0.0.0.0`, `localhost`).
    public var host: String
    /// The TCP port, 0…65535; 0 means "any free port".
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` or `[IPv6]:PORT`; the error says what was expected and what was found.
    public init(parsing text: String) throws(ListenAddressError) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .init(text: text, problem: "an IPv6 host must end with ']'") }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .init(text: text, problem: "expected ':PORT' after ']'") }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw .init(text: text, problem: "expected HOST:PORT, e.g. 127.0.0.1:8080")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") { throw .init(text: text, problem: "write an IPv6 host in brackets, e.g. [::1]:8080") }
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: \.isWhitespace) else {
            throw .init(text: text, problem: "the host is empty or contains spaces")
        }
        guard !portPart.isEmpty, portPart.allSatisfy(\.isASCII), portPart.allSatisfy(\.isNumber), portPart.count <= 5,
              let port = Int(portPart), port <= 65_535
        else { throw .init(text: text, problem: "the port must be a whole number from 0 to 65535, found '\(portPart)'") }
        self.init(host: String(hostPart), port: port)
    }

    /// Whether only this machine can reach the address (127.0.0.0/8, ::1, localhost).
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// `HOST:PORT`, with an IPv6 host in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A `--listen` value that is not `HOST:PORT`.
public struct ListenAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public var text: String
    /// What is wrong with it.
    public var problem: String

    public var description: String { "invalid listen address '\(text)': \(problem)" }
}
