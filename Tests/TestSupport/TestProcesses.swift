/// What long-lived helper processes need: a child started while other tests' pipes are open inherits their
/// write ends (Foundation's `Process` closes nothing), and a reader waiting for EOF on such a pipe then waits as
/// long as the helper lives.
public enum TestProcesses {
    /// Python that closes every inherited descriptor but 0-2, then runs what follows it as `python3` would:
    /// `python3 -c CODE SCRIPT.py ARGS...`, `python3 -c CODE -c PROGRAM ARGS...`, or, with more code appended
    /// after `; `, goes on with that code (`sys.argv` then starts with the argument after CODE).
    public static let closingInherited =
        "import os, sys, runpy; os.closerange(3, os.sysconf('SC_OPEN_MAX')); sys.argv = sys.argv[1:] or ['x']; "
        + "program = sys.argv.pop(1) if sys.argv[0] == '-c' else None; "
        + "exec(program) if program is not None else "
        + "(sys.argv[0].endswith('.py') and runpy.run_path(sys.argv[0], run_name='__main__'))"
}
