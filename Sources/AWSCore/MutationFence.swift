/// Fencing for a daemon that leads through a lease: every state-changing call asks it first, and is sent only if
/// the lease is sure to stay this daemon's until the call's deadline has passed.
public protocol MutationFence: Sendable {
    /// The deadline of a state-changing call sent under the fence.
    var callDeadline: Duration { get }
    /// Nil when a state-changing call may be sent now; otherwise why not.
    func refusal() -> String?
}

extension AWSError {
    /// The code of a state-changing call the fence kept back.
    public static let notLeaderCode = "NotLeader"

    /// A state-changing call kept back by the fence: never sent, never retried.
    static func fenced(_ operation: String, reason: String) -> AWSError {
        AWSError(
            operation: operation,
            code: notLeaderCode,
            message: "not sent: \(reason)",
            kind: .fenced
        )
    }
}
