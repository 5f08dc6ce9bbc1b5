"""Faults on request: an HTTP 500 or 503, a reset connection, a slow answer, a lost success, or an
AccessDeniedException (an IAM policy without the action)."""
import threading

KINDS = ("500", "503", "reset", "slow", "lost", "denied")


class Faults:
    def __init__(self):
        self._queue = []
        self._lock = threading.Lock()

    def add(self, spec):
        kind = str(spec.get("kind", ""))
        if kind not in KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(KINDS)}")
        if not spec.get("operation"):
            raise ValueError("a fault names its operation (or '*')")
        entry = {"operation": spec["operation"], "kind": kind, "count": int(spec.get("count", 1)),
                 "delay": float(spec.get("delay", 5.0)), "table": spec.get("table")}
        with self._lock:
            self._queue.append(entry)
        return entry

    def take(self, operation, table):
        """The next fault for this request, counted down; None when none applies."""
        with self._lock:
            for entry in self._queue:
                if entry["operation"] not in (operation, "*"):
                    continue
                if entry["table"] and entry["table"] != table:
                    continue
                entry["count"] -= 1
                if entry["count"] <= 0:
                    self._queue.remove(entry)
                return dict(entry)
        return None

    def pending(self):
        with self._lock:
            return [dict(entry) for entry in self._queue]

    def clear(self):
        with self._lock:
            self._queue.clear()
