"""Every request the endpoint answered: operation, table, time, caller and answer."""
import threading


class Journal:
    LIMIT = 500_000

    def __init__(self):
        self._entries = []
        self._seq = 0
        self._lock = threading.Lock()

    def record(self, entry):
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
            if len(self._entries) > self.LIMIT:
                del self._entries[: len(self._entries) - self.LIMIT]

    def entries(self, since=0, operation=None, table=None, caller=None):
        with self._lock:
            chosen = [entry for entry in self._entries if entry["seq"] > since]
        if operation:
            chosen = [entry for entry in chosen if entry["operation"] == operation]
        if table:
            chosen = [entry for entry in chosen if entry.get("table") == table]
        if caller:
            chosen = [entry for entry in chosen if entry.get("caller") == caller]
        return chosen

    def clear(self):
        with self._lock:
            self._entries.clear()
