"""A wall clock that tests can move forward, so hour- and day-long windows are tested in seconds."""
import threading
import time


class Clock:
    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self):
        """Seconds since the epoch, moved by every advance so far."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds):
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds

    def reset(self):
        with self._lock:
            self._offset = 0.0


def iso(epoch):
    """2026-12-03T08:42:25.398Z, the form AWS uses inside error messages."""
    whole = int(epoch)
    millis = int(round((epoch - whole) * 1000)) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"


def long_date(epoch):
    """Wednesday, July 25, 2018 8:48:14 PM UTC, the form of the throughput-decrease message."""
    moment = time.gmtime(int(epoch))
    hour = moment.tm_hour % 12 or 12
    return (time.strftime("%A, %B ", moment) + f"{moment.tm_mday}, {moment.tm_year} {hour}:"
            + time.strftime("%M:%S ", moment) + ("AM" if moment.tm_hour < 12 else "PM") + " UTC")
