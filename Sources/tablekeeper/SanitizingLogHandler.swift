import Logging
import SystemSupport

/// Log lines with control characters escaped in the message and metadata, so a commit summary, a file name or a
/// server's error text cannot forge log lines or drive the terminal that shows them.
struct SanitizingLogHandler: LogHandler {
    var base: StreamLogHandler

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(Sanitizer.line(event.message.description))"
        event.metadata = event.metadata.map { $0.mapValues(Self.sanitize) }
        base.log(event: event)
    }

    static func sanitize(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(Sanitizer.line(text))
        case .stringConvertible(let convertible): .string(Sanitizer.line(convertible.description))
        case .array(let values): .array(values.map(sanitize))
        case .dictionary(let values): .dictionary(values.mapValues(sanitize))
        }
    }
}
