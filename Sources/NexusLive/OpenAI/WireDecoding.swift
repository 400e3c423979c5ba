/// Reads typed fields out of a JSON object, producing OpenAI-style 400 errors that name the parameter path.
struct WireReader {
    let object: JSONObject
    /// The path of this object in the request (`""` at the top, `messages[2]` below).
    let path: String

    func fullPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func missing(_ key: String) -> OpenAIError {
        .invalidRequest("Missing required parameter: '\(fullPath(key))'.", param: fullPath(key), code: "missing_required_parameter")
    }

    func invalidType(_ key: String, expected: String, found: JSONValue) -> OpenAIError {
        .invalidRequest(
            "Invalid type for '\(fullPath(key))': expected \(expected), but got \(found.typeDescription) instead.",
            param: fullPath(key), code: "invalid_type")
    }

    func invalidValue(_ key: String, _ detail: String) -> OpenAIError {
        .invalidRequest("Invalid value for '\(fullPath(key))': \(detail)", param: fullPath(key), code: "invalid_value")
    }

    /// A present, non-null value, or nil.
    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func requiredString(_ key: String) throws(OpenAIError) -> String {
        guard let value = value(key) else { throw missing(key) }
        guard let string = value.stringValue else { throw invalidType(key, expected: "a string", found: value) }
        return string
    }

    func optionalString(_ key: String) throws(OpenAIError) -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.stringValue else { throw invalidType(key, expected: "a string", found: value) }
        return string
    }

    func optionalBool(_ key: String) throws(OpenAIError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let bool = value.boolValue else { throw invalidType(key, expected: "a boolean", found: value) }
        return bool
    }

    func optionalInteger(_ key: String, in range: ClosedRange<Int>? = nil) throws(OpenAIError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let integer = value.integerValue else { throw invalidType(key, expected: "an integer", found: value) }
        if let range, !range.contains(integer) {
            throw invalidValue(key, "expected an integer from \(range.lowerBound) to \(range.upperBound), but got \(integer) instead.")
        }
        return integer
    }

    func optionalNumber(_ key: String, in range: ClosedRange<Double>? = nil) throws(OpenAIError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.doubleValue else { throw invalidType(key, expected: "a number", found: value) }
        if let range, !range.contains(number) {
            throw invalidValue(key, "expected a number from \(range.lowerBound) to \(range.upperBound), but got \(number) instead.")
        }
        return number
    }

    func requiredInteger(_ key: String) throws(OpenAIError) -> Int {
        guard let integer = try optionalInteger(key) else { throw missing(key) }
        return integer
    }

    func optionalObject(_ key: String) throws(OpenAIError) -> WireReader? {
        guard let value = value(key) else { return nil }
        guard let object = value.objectValue else { throw invalidType(key, expected: "an object", found: value) }
        return WireReader(object: object, path: fullPath(key))
    }

    func requiredArray(_ key: String) throws(OpenAIError) -> [JSONValue] {
        guard let value = value(key) else { throw missing(key) }
        guard let array = value.arrayValue else { throw invalidType(key, expected: "an array", found: value) }
        return array
    }

    func optionalArray(_ key: String) throws(OpenAIError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard let array = value.arrayValue else { throw invalidType(key, expected: "an array", found: value) }
        return array
    }

    /// The element at `index` of the array at `key` as an object.
    func element(_ key: String, _ index: Int, of array: [JSONValue]) throws(OpenAIError) -> WireReader {
        let elementPath = "\(fullPath(key))[\(index)]"
        guard let object = array[index].objectValue else {
            throw .invalidRequest(
                "Invalid type for '\(elementPath)': expected an object, but got \(array[index].typeDescription) instead.",
                param: elementPath, code: "invalid_type")
        }
        return WireReader(object: object, path: elementPath)
    }

    /// Parses a body into an object, turning a syntax error into OpenAI's 400.
    static func topLevel(_ body: some Collection<UInt8>) throws(OpenAIError) -> WireReader {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw .invalidRequest(
                "We could not parse the JSON body of your request: \(error.description).", code: "invalid_json")
        }
        guard let object = value.objectValue else {
            throw .invalidRequest(
                "The request body must be a JSON object, but got \(value.typeDescription) instead.", code: "invalid_json")
        }
        return WireReader(object: object, path: "")
    }
}
