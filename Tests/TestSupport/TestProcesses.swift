/// What long-lived helper processes need: a child started while other tests' pipes are open inherits their
/// write ends (Foundation's `Process` closes nothing), and a reader waiting for EOF on such a pipe then waits as
/// long as the helper lives.
public enum TestProcesses {
    /// Python that closes every inherited descriptor but 0-2, then runs `sys.argv[1:]` as a script (`python3 -c
    /// CODE SCRIPT ARGS...`), or, with more code appended after `; `, goes on with that code.
    public static let closingInherited =
        "import os, sys, runpy; os.closerange(3, os.sysconf('SC_OPEN_MAX')); sys.argv = sys.argv[1:] or ['x']; "
        + "sys.argv[0].endswith('.py') and runpy.run_path(sys.argv[0], run_name='__main__')"
}
