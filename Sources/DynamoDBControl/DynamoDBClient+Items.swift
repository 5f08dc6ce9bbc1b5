public import AWSCore

/// A DynamoDB attribute value: the string and number forms a lease item uses.
public enum AttributeValue: Codable, Sendable, Equatable {
    case string(String)
    case number(String)
    case bool(Bool)

    private enum Key: String, CodingKey {
        case S, N, BOOL
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        if let text = try container.decodeIfPresent(String.self, forKey: .S) {
            self = .string(text)
        } else if let number = try container.decodeIfPresent(String.self, forKey: .N) {
            self = .number(number)
        } else if let flag = try container.decodeIfPresent(Bool.self, forKey: .BOOL) {
            self = .bool(flag)
        } else {
            // Lists, maps, sets and binaries are not used by Tablekeeper's items; they read as absent.
            self = .string("")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .string(let text): try container.encode(text, forKey: .S)
        case .number(let number): try container.encode(number, forKey: .N)
        case .bool(let flag): try container.encode(flag, forKey: .BOOL)
        }
    }

    /// The string form's text.
    public var text: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number form as an integer.
    public var integer: Int? {
        if case .number(let number) = self { return Int(number) }
        return nil
    }
}

/// An item: attribute names to values.
public typealias Item = [String: AttributeValue]

/// A condition on a write: the expression with its `#name` and `:value` placeholders (DynamoDB reserves many words,
/// `name` among them, so every attribute goes through a placeholder).
public struct Condition: Sendable {
    /// The condition expression.
    public var expression: String
    /// `#placeholder` to attribute name.
    public var names: [String: String]
    /// `:placeholder` to value.
    public var values: Item

    /// A condition.
    public init(_ expression: String, names: [String: String], values: Item = [:]) {
        self.expression = expression
        self.names = names
        self.values = values
    }
}

extension DynamoDBClient {
    /// GetItem with a strongly consistent read; nil when there is no such item.
    public func getItem(table: String, key: Item) async throws(AWSError) -> Item? {
        struct Input: Encodable {
            var TableName: String
            var Key: Item
            var ConsistentRead = true
        }
        struct Output: Decodable {
            var Item: Item?
        }
        return try await client.call("GetItem", Input(TableName: table, Key: key), as: Output.self).Item
    }

    /// PutItem under a condition; `ConditionalCheckFailedException` (a `stateConflict`) when it does not hold.
    public func putItem(table: String, item: Item, condition: Condition) async throws(AWSError) {
        struct Input: Encodable {
            var TableName: String
            var Item: Item
            var ConditionExpression: String
            var ExpressionAttributeNames: [String: String]
            var ExpressionAttributeValues: Item?
        }
        struct Output: Decodable {}
        _ = try await client.call(
            "PutItem",
            Input(
                TableName: table,
                Item: item,
                ConditionExpression: condition.expression,
                ExpressionAttributeNames: condition.names,
                ExpressionAttributeValues: condition.values.isEmpty ? nil : condition.values
            ),
            as: Output.self
        )
    }

    /// UpdateItem with an update expression under a condition; `ConditionalCheckFailedException` when it does not
    /// hold. `names` and `values` serve both expressions.
    public func updateItem(table: String, key: Item, update: String, condition: Condition) async throws(AWSError) {
        struct Input: Encodable {
            var TableName: String
            var Key: Item
            var UpdateExpression: String
            var ConditionExpression: String
            var ExpressionAttributeNames: [String: String]
            var ExpressionAttributeValues: Item?
        }
        struct Output: Decodable {}
        _ = try await client.call(
            "UpdateItem",
            Input(
                TableName: table,
                Key: key,
                UpdateExpression: update,
                ConditionExpression: condition.expression,
                ExpressionAttributeNames: condition.names,
                ExpressionAttributeValues: condition.values.isEmpty ? nil : condition.values
            ),
            as: Output.self
        )
    }
}
