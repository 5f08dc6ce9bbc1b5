"""Request rates per account and region: token buckets with one second of burst."""
import threading
import time


class Rates:
    def __init__(self, settings):
        self.settings = settings
        self._buckets = {}
        self._lock = threading.Lock()

    def admit(self, account, region, names):
        """Takes one token from each named bucket, or none at all when one of them is empty."""
        now = time.monotonic()
        with self._lock:
            buckets = []
            for name in names:
                rate = self.settings["rates"].get(name)
                if not rate:
                    continue
                key = (account, region, name)
                capacity = max(float(rate), 1.0)  # one second of burst, and at least one request
                tokens, stamp = self._buckets.get(key, (capacity, now))
                tokens = min(capacity, tokens + (now - stamp) * rate)
                if tokens < 1.0:
                    self._buckets[key] = (tokens, now)
                    return False
                buckets.append((key, tokens))
            for key, tokens in buckets:
                self._buckets[key] = (tokens - 1.0, now)
            return True

    def reset(self):
        with self._lock:
            self._buckets.clear()
