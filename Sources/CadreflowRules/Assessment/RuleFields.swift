/// A coding key for any name: rule-set files are read key by key, so that each fault names
/// its key and unknown keys are found.
struct RuleKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ name: String) {
        stringValue = name
        intValue = nil
    }

    init?(stringValue: String) {
        self.init(stringValue)
    }

    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// One JSON object of a rule-set file, read so that every fault is a ``DomainError`` whose
/// field is the key's path in the file (`grades.A.min`, `scores.parts[1].max`).
struct RuleFields {
    private let container: KeyedDecodingContainer<RuleKey>
    /// The object's path in the file; empty for the top object.
    let path: String

    /// The top object of a file.
    init(decoder: any Decoder) throws(DomainError) {
        do {
            container = try decoder.container(keyedBy: RuleKey.self)
        } catch {
            throw DomainError(.invalid, "must be a JSON object")
        }
        path = ""
    }

    private init(container: KeyedDecodingContainer<RuleKey>, path: String) {
        self.container = container
        self.path = path
    }

    /// The path of a key of this object.
    func field(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// Refuses any key not in `keys` (a misspelt key would otherwise be ignored).
    func only(_ keys: [String]) throws(DomainError) {
        for key in container.allKeys.map(\.stringValue).sorted() where !keys.contains(key) {
            throw DomainError.invalid(field(key), "unknown key (expected \(keys.joined(separator: ", ")))")
        }
    }

    /// A text, nil when absent or null.
    func optionalText(_ key: String) throws(DomainError) -> String? {
        do {
            return try container.decodeIfPresent(String.self, forKey: RuleKey(key))
        } catch {
            throw DomainError.invalid(field(key), "must be a text")
        }
    }

    /// A text that must be there and not be blank.
    func text(_ key: String) throws(DomainError) -> String {
        guard let text = try optionalText(key)?.trimmingSpaces, !text.isEmpty else { throw DomainError.invalid(field(key), "required") }
        return text
    }

    /// A number, nil when absent or null.
    func optionalNumber(_ key: String) throws(DomainError) -> Double? {
        do {
            return try container.decodeIfPresent(Double.self, forKey: RuleKey(key))
        } catch {
            throw DomainError.invalid(field(key), "must be a number")
        }
    }

    /// A number that must be there.
    func number(_ key: String) throws(DomainError) -> Double {
        guard let number = try optionalNumber(key) else { throw DomainError.invalid(field(key), "required") }
        return number
    }

    /// A whole number, nil when absent or null.
    func optionalInteger(_ key: String) throws(DomainError) -> Int? {
        do {
            return try container.decodeIfPresent(Int.self, forKey: RuleKey(key))
        } catch {
            throw DomainError.invalid(field(key), "must be a whole number")
        }
    }

    /// A whole number that must be there.
    func integer(_ key: String) throws(DomainError) -> Int {
        guard let number = try optionalInteger(key) else { throw DomainError.invalid(field(key), "required") }
        return number
    }

    /// `true` or `false`, nil when absent or null.
    func optionalFlag(_ key: String) throws(DomainError) -> Bool? {
        do {
            return try container.decodeIfPresent(Bool.self, forKey: RuleKey(key))
        } catch {
            throw DomainError.invalid(field(key), "must be true or false")
        }
    }

    /// A word of a closed set (`T`'s raw values), `default` when absent.
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, default value: T? = nil) throws(DomainError) -> T where T.RawValue == String {
        guard let text = try optionalText(key)?.trimmingSpaces, !text.isEmpty else {
            guard let value else { throw DomainError.invalid(field(key), "required") }
            return value
        }
        guard let chosen = T(rawValue: text) else {
            throw DomainError.invalid(field(key), "\(text) is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return chosen
    }

    /// A nested object that must be there.
    func object(_ key: String) throws(DomainError) -> RuleFields {
        try present(key)
        do {
            return RuleFields(container: try container.nestedContainer(keyedBy: RuleKey.self, forKey: RuleKey(key)), path: field(key))
        } catch {
            throw DomainError.invalid(field(key), "must be an object")
        }
    }

    /// A list of objects that must be there (it may be empty).
    func objects(_ key: String) throws(DomainError) -> [RuleFields] {
        try present(key)
        var list: any UnkeyedDecodingContainer
        do {
            list = try container.nestedUnkeyedContainer(forKey: RuleKey(key))
        } catch {
            throw DomainError.invalid(field(key), "must be a list")
        }
        var objects: [RuleFields] = []
        while !list.isAtEnd {
            let path = "\(field(key))[\(list.currentIndex)]"
            do {
                objects.append(RuleFields(container: try list.nestedContainer(keyedBy: RuleKey.self), path: path))
            } catch {
                throw DomainError(.invalid, "must be an object", field: path)
            }
        }
        return objects
    }

    private func present(_ key: String) throws(DomainError) {
        let isNull = (try? container.decodeNil(forKey: RuleKey(key))) ?? false
        guard container.contains(RuleKey(key)), !isNull else { throw DomainError.invalid(field(key), "required") }
    }
}

extension DomainError {
    /// The same error placed in a file: `monthly.json: grades.A.min: …`.
    func inFile(_ file: String) -> DomainError {
        var copy = self
        copy.field = field.map { "\(file): \($0)" } ?? file
        return copy
    }
}
