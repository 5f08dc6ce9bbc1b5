"""Writes a realistic status log of a given size for benchmarks: mostly cycle records, a table record when a
table changes, source records for new revisions. Usage: make-status-log.py PATH MEGABYTES [TABLES]"""
import json
import random
import sys

path, megabytes = sys.argv[1], float(sys.argv[2])
tables = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
limit = int(megabytes * 1024 * 1024)
random.seed(7)
outcomes = ["in_sync", "created", "updated", "pending", "flagged", "invalid", "failed"]
size = 0
cycle = 0
revision = "%040x" % random.getrandbits(160)
with open(path, "w") as out:
    while size < limit:
        cycle += 1
        lines = []
        if cycle % 500 == 1:
            revision = "%040x" % random.getrandbits(160)
            lines.append({"v": 1, "time": "2026-11-29T04:29:09.123Z", "kind": "source", "revision": revision,
                          "outcome": "fetched", "message": "fetched %s: change" % revision[:12]})
        for _ in range(random.choice([0, 0, 0, 1, 2])):
            table = "table-%04d" % random.randrange(tables)
            outcome = random.choice(outcomes)
            lines.append({"v": 1, "time": "2026-11-29T04:29:09.123Z", "kind": "table", "cycle": cycle,
                          "revision": revision, "manifest": "manifests/%s.json" % table, "table": table,
                          "region": "us-east-1", "outcome": outcome,
                          "changes": [{"field": "encryption", "from": "DEFAULT", "to": "KMS", "action": "flag",
                                       "reason": "encryption"}] if outcome == "flagged" else [],
                          "message": "a message about %s" % table, "error": None})
        lines.append({"v": 1, "time": "2026-11-29T04:29:10.000Z", "kind": "cycle", "cycle": cycle,
                      "revision": revision, "trigger": "poll", "durationMs": random.randrange(20, 900),
                      "counts": {o: random.randrange(0, 50) for o in outcomes}})
        for line in lines:
            text = json.dumps(line, separators=(",", ":")) + "\n"
            out.write(text)
            size += len(text)
print(cycle, "cycles")
