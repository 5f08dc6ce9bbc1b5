extension AWSError {
    /// Codes that services document (and this client makes), kept as metric labels; any other code, which a
    /// proxy or a hostile endpoint could invent without end, is counted as `other`.
    static let documentedCodes: Set<String> =
        throttlingCodes.union(transientCodes).union(authenticationCodes).union([
            "ResourceInUseException", "ResourceNotFoundException", "ContinuousBackupsUnavailableException",
            "LimitExceededException", "AccessDeniedException", "ValidationException", "SerializationException",
            "ConditionalCheckFailedException", "PointInTimeRecoveryUnavailableException", "TableNotFoundException",
            "TableInUseException", "IndexNotFoundException", "GlobalTableNotFoundException", "ReplicaNotFoundException",
            "ReplicaAlreadyExistsException", "InvalidExportTimeException", "ExportConflictException",
            "NotFoundException", "DisabledException", "KMSInvalidStateException", "InvalidArnException",
            "KMSAccessDeniedException", "KMSNotFoundException", "KMSDisabledException", "InvalidKeyUsageException",
            "KeyUnavailableException", "InvalidParameterValue", "InvalidParameterException",
            "InvalidPaginationTokenException", "ConcurrentModificationException", "ObjectNotFoundException",
            "FailedResourceAccessException", "InvalidIdentityToken", "IDPCommunicationError", "IDPRejectedClaim",
            "RegionDisabledException", "EncodingError", "DecodingError", "Cancelled", "CredentialsError",
            "MalformedResponse", "EmptyResponse", "ConnectionError", "Timeout",
        ])

    /// Whether a code is a throttling answer.
    public static func isThrottlingCode(_ code: String) -> Bool {
        throttlingCodes.contains(code)
    }

    /// The code as a metric label: documented codes and `HTTP 100`–`HTTP 599` as they are, anything else `other`.
    public static func metricLabel(_ code: String) -> String {
        if documentedCodes.contains(code) { return code }
        if code.hasPrefix("HTTP "), let status = Int(code.dropFirst(5)), (100...599).contains(status) { return code }
        return "other"
    }
}
