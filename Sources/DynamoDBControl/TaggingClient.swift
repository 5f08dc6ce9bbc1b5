public import AWSCore

/// The Resource Groups Tagging API's GetResources for DynamoDB tables: the tags of up to 100 tables in one call,
/// and every table carrying a tag, page by page.
public struct TaggingClient: Sendable {
    /// The underlying JSON client, for `AWSService.tagging`.
    public let client: AWSJSONClient

    /// Creates a typed client.
    public init(client: AWSJSONClient) {
        self.client = client
    }

    struct Mapping: Decodable {
        var ResourceARN: String?
        var Tags: [TagShape]?
    }

    struct Output: Decodable {
        var ResourceTagMappingList: [Mapping]?
        var PaginationToken: String?
    }

    /// The tags of the tables whose ARNs are given (at most 100). A table absent from the answer has no tags:
    /// GetResources lists only resources that carry (or carried) tags.
    public func tags(of arns: [String]) async throws(AWSError) -> [String: [TagShape]] {
        struct Input: Encodable {
            var ResourceARNList: [String]
        }
        precondition(arns.count <= 100, "GetResources takes at most 100 ARNs")
        let output = try await client.call("GetResources", Input(ResourceARNList: arns), as: Output.self)
        var tags = Dictionary(uniqueKeysWithValues: arns.map { ($0, [TagShape]()) })
        for mapping in output.ResourceTagMappingList ?? [] {
            if let arn = mapping.ResourceARN { tags[arn] = mapping.Tags ?? [] }
        }
        return tags
    }

    /// Every DynamoDB table carrying the tag `key`, with all its tags, by ARN.
    public func tables(taggedWith key: String) async throws(AWSError) -> [String: [TagShape]] {
        struct Filter: Encodable {
            var Key: String
        }
        struct Input: Encodable {
            var TagFilters: [Filter]
            var ResourceTypeFilters: [String]
            var ResourcesPerPage: Int
            var PaginationToken: String?
        }
        var found: [String: [TagShape]] = [:]
        var token: String?
        repeat {
            let page = try await client.call(
                "GetResources",
                Input(
                    TagFilters: [Filter(Key: key)],
                    ResourceTypeFilters: ["dynamodb:table"],
                    ResourcesPerPage: 100,
                    PaginationToken: token
                ),
                as: Output.self
            )
            for mapping in page.ResourceTagMappingList ?? [] {
                if let arn = mapping.ResourceARN { found[arn] = mapping.Tags ?? [] }
            }
            token = page.PaginationToken.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return found
    }
}
