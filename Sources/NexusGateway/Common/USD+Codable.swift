extension USD: Codable {
    /// A bare number of dollars, so that stored results stay compact (`1.25`, not `{"dollars": 1.25}`).
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(Double.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(dollars)
    }
}
