import FoundationEssentials
import SystemSupport

/// Writes one message to standard error, control characters escaped: errors quote file names, table names and
/// remote error text that whoever pushes manifests (or runs a server) chooses.
func printError(_ line: String) {
    FileIO.standardError(Sanitizer.lines(line) + "\n")
}
