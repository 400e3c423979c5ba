/// An error in OpenAI's format: the HTTP status and the body `{"error": {"message", "type", "param", "code"}}`.
///
/// Clients written for OpenAI read `type` and `code` to decide what to do, so every refusal of the gateway uses
/// the type OpenAI uses for the same status.
public struct OpenAIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// HTTP status code.
    public var status: Int
    /// Human-readable explanation.
    public var message: String
    /// OpenAI's error class: `invalid_request_error`, `authentication_error`, `permission_error`,
    /// `not_found_error`, `rate_limit_error`, `insufficient_quota`, `server_error`, ...
    public var type: String
    /// The request parameter at fault (`messages[0].content`), when there is one.
    public var param: String?
    /// A machine-readable code (`invalid_api_key`, `model_not_found`, `missing_required_parameter`, ...).
    public var code: String?

    public init(status: Int, message: String, type: String? = nil, param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type ?? OpenAIError.defaultType(forStatus: status)
        self.param = param
        self.code = code
    }

    /// The `type` OpenAI uses for a status.
    public static func defaultType(forStatus status: Int) -> String {
        switch status {
        case 400, 404, 405, 409, 413, 415, 422: status == 404 ? "not_found_error" : "invalid_request_error"
        case 401: "authentication_error"
        case 403: "permission_error"
        case 429: "rate_limit_error"
        case 500..<600: "server_error"
        default: "api_error"
        }
    }

    public var description: String { "\(status) \(type): \(message)" }

    /// A 400 for a request that is not understood.
    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(status: 400, message: message, type: "invalid_request_error", param: param, code: code)
    }

    /// The body as a JSON value.
    public var jsonValue: JSONValue {
        .object([
            "error": .object([
                "message": .string(message),
                "type": .string(type),
                "param": param.map(JSONValue.string) ?? .null,
                "code": code.map(JSONValue.string) ?? .null,
            ]),
        ])
    }

    /// The body as JSON bytes.
    public var jsonBytes: [UInt8] { JSONWriter.bytes(jsonValue) }

    /// Reads an error body an upstream returned with `status`. A body that is not OpenAI's error JSON still gives
    /// an error, carrying the start of the body as its message, so an upstream's failure is never lost.
    public init(status: Int, body: some Collection<UInt8>) {
        if let value = try? JSONParser.parse(body), let error = value.objectValue?["error"] {
            if let object = error.objectValue {
                self.init(
                    status: status,
                    message: object["message"]?.stringValue ?? "upstream error",
                    type: object["type"]?.stringValue,
                    param: object["param"]?.stringValue,
                    code: object["code"]?.stringValue ?? object["code"]?.integerValue.map { String($0) })
                return
            }
            if let text = error.stringValue {
                self.init(status: status, message: text)
                return
            }
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        self.init(status: status, message: text.isEmpty ? "upstream returned status \(status)" : text)
    }
}
