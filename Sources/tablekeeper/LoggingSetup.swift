import FoundationEssentials
import Logging

/// Logging for the executable only (libraries never bootstrap it): one line per message on stderr, controls
/// escaped.
enum LoggingSetup {
    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = SanitizingLogHandler(base: StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
    }

    static func level(from text: String?) -> Logger.Level {
        text.flatMap(Logger.Level.init(rawValue:)) ?? .info
    }
}
