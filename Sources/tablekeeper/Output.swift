import FoundationEssentials
import SystemSupport

/// Writes one line to standard error.
func printError(_ line: String) {
    FileIO.standardError(line + "\n")
}
