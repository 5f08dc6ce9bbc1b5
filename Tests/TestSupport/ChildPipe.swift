public import Foundation

extension Pipe {
    /// A pipe for one child's standard stream whose own descriptors close on exec.
    ///
    /// Foundation's `Process` closes every other descriptor in a child, but it lists them before spawning: a pipe
    /// made by another test at that moment can slip into a child spawned concurrently. If that child lives long
    /// (a daemon, an endpoint), whoever reads the pipe waits for an EOF that only comes when the child dies.
    /// With close-on-exec no other child can keep these ends; the child they are meant for gets its copies
    /// through dup2, which clears the flag.
    public static func forChild() -> Pipe {
        let pipe = Pipe()
        for descriptor in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        return pipe
    }
}
