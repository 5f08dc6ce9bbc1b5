import AWSCore
import DynamoDBControl
import Synchronization

/// A test double of `TableControl` for the executor's pure logic: records every call and answers from a script.
final class RecordingControl: TableControl {
    struct State {
        var calls: [String] = []
        var failures: [String: AWSError] = [:]
        var table: TableDescription?
        var updateAnswer = TableDescription()
        var tags: [TagShape] = []
    }

    let state = Mutex(State())
    /// The `CreationDateTime` CreateTable answers.
    static let creationTime: Double = 1_796_256_000.125

    var calls: [String] { state.withLock { $0.calls } }

    func fail(_ operation: String, with error: AWSError) {
        state.withLock { $0.failures[operation] = error }
    }

    /// Fails `operation` with the error AWS answers (`code`, `message`), classified as the client classifies it.
    func fail(_ operation: String, code: String, message: String) {
        let kind = AWSError.classify(code: code, message: message, httpStatus: 400)
        fail(operation, with: AWSError(operation: operation, code: code, message: message, httpStatus: 400, kind: kind))
    }

    func succeed(_ operation: String) {
        state.withLock { $0.failures[operation] = nil }
    }

    func describeAfterUpdate(_ table: TableDescription) {
        state.withLock { $0.table = table }
    }

    /// What UpdateTable answers (the table as AWS left it).
    func answerUpdates(with table: TableDescription) {
        state.withLock { $0.updateAnswer = table }
    }

    private func record(_ operation: String) throws(AWSError) {
        let failure: AWSError? = state.withLock { state in
            state.calls.append(operation)
            return state.failures[operation]
        }
        if let failure { throw failure }
    }

    func describeTable(_ name: String) async throws(AWSError) -> TableDescription? {
        try record("DescribeTable")
        return state.withLock { $0.table }
    }

    func describeTimeToLive(_ name: String) async throws(AWSError) -> TimeToLiveDescription {
        try record("DescribeTimeToLive")
        return TimeToLiveDescription(TimeToLiveStatus: "DISABLED", AttributeName: nil)
    }

    func describeContinuousBackups(_ name: String) async throws(AWSError) -> ContinuousBackupsDescription {
        try record("DescribeContinuousBackups")
        return ContinuousBackupsDescription()
    }

    func listTags(_ arn: String) async throws(AWSError) -> [TagShape] {
        try record("ListTagsOfResource")
        return state.withLock { $0.tags }
    }

    /// What ListTagsOfResource answers.
    func answerTags(with tags: [TagShape]) {
        state.withLock { $0.tags = tags }
    }

    func listTables() async throws(AWSError) -> [String] {
        try record("ListTables")
        return []
    }

    func createTable(_ input: CreateTableInput) async throws(AWSError) -> TableDescription {
        try record("CreateTable")
        var answer = TableDescription()
        answer.CreationDateTime = Self.creationTime
        return answer
    }

    func updateTable(_ input: UpdateTableInput) async throws(AWSError) -> TableDescription {
        try record("UpdateTable")
        return state.withLock { $0.updateAnswer }
    }

    func updateTimeToLive(_ name: String, attribute: String, enabled: Bool) async throws(AWSError) {
        try record("UpdateTimeToLive")
    }

    func updateContinuousBackups(_ name: String, pointInTimeRecovery: Bool) async throws(AWSError) {
        try record("UpdateContinuousBackups")
    }

    func tagResource(_ arn: String, tags: [TagShape]) async throws(AWSError) {
        try record("TagResource")
    }

    func untagResource(_ arn: String, keys: [String]) async throws(AWSError) {
        try record("UntagResource")
    }

    func describeKey(_ keyID: String) async throws(AWSError) -> KeyMetadata {
        try record("DescribeKey")
        return KeyMetadata(Arn: Fixtures.awsManagedArn)
    }
}
