#!/usr/bin/env python3
"""The observation budget: the daemon over N in-sync tables with GSIS (3) GSIs each, against the fidelity endpoint at
DynamoDB's real per-operation rates (ListTagsOfResource and DescribeContinuousBackups 10/s per account). Prints the
requests per table per cycle over steady cycles that include a drift sweep, the throttling answers, and the CPU
per steady cycle against a boto3 script that reads the same tables once with the four calls a table needs.

Usage: bench-budget.py BINARY WORKDIR [TABLES] [CYCLES] [GSIS]   (loopback only)"""
import json
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor


from benchmoto import boto3_observe_script, create_bench_table, control, free_port, journal_summary, start_fidelity

binary, work = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
cycles_wanted = int(sys.argv[4]) if len(sys.argv) > 4 else 60
gsi_count = int(sys.argv[5]) if len(sys.argv) > 5 else 3
os.makedirs(work, exist_ok=True)
RATES_OFF = {"ListTagsOfResource": 0, "DescribeContinuousBackups": 0, "TagResource": 0, "UntagResource": 0,
             "controlPlane": 0}
REAL_RATES = {"ListTagsOfResource": 10, "DescribeContinuousBackups": 10, "TagResource": 5, "UntagResource": 5,
              "controlPlane": 2500}

# The table quota raised as an account would raise it (DynamoDB's default is 2,500 per region).
moto, port = start_fidelity({"createDelay": 0, "describeLag": 0, "pitrUnavailable": 0, "ttlDelay": 0, "tagLag": 0,
                             "rates": RATES_OFF, "maxTablesPerRegion": max(2500, count + 10)})
endpoint = f"http://127.0.0.1:{port}"
env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDBENCH", AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1",
           AWS_EC2_METADATA_DISABLED="true")
daemon = None
try:
    repo = os.path.join(work, "repo")
    manifests = os.path.join(repo, "manifests")
    os.makedirs(manifests, exist_ok=True)
    names = [f"bench-{i:05d}" for i in range(count)]

    def create(name):
        create_bench_table(endpoint, name, manifests, f"manifests/{name}.json", gsi_count)

    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, names))
    print(f"set-up: {count} tables in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "manifests"]):
        subprocess.run(["git", "-C", repo, "-c", "user.name=bench", "-c", "user.email=bench@localhost", *args],
                       check=True)

    # A cycle every 2 s; the sweep spans 300 s (reading 1,000 tables' backups at 8/s takes 125 s, so a sweep
    # cannot be shorter), and the steady cycles below hold most of one.
    status_log = os.path.join(work, "status.jsonl")
    config = {
        "source": {"url": repo, "allowLocal": True, "interval": "2s", "cacheDirectory": os.path.join(work, "cache")},
        "aws": {"region": "us-east-1", "endpoint": endpoint, "maxRequestsPerSecond": 1000,
                "driftSweepInterval": "300s"},
        "statusLog": {"path": status_log},
        "http": {"listen": f"127.0.0.1:{free_port()}"},
    }
    with open(os.path.join(work, "config.json"), "w") as out:
        json.dump(config, out)
    control(port, "POST", "settings", {"rates": REAL_RATES})
    time.sleep(1.1)
    control(port, "DELETE", "journal")
    daemon = subprocess.Popen([binary, "run", "--config", os.path.join(work, "config.json"), "--log-level", "error"],
                              env=env, stdout=subprocess.DEVNULL)

    def cycle_records():
        records = []
        if os.path.exists(status_log):
            with open(status_log) as log:
                for line in log:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue
                    if record.get("kind") == "cycle":
                        records.append(record)
        return records

    def cpu_seconds():
        with open(f"/proc/{daemon.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    start = time.perf_counter()
    while not cycle_records():
        time.sleep(0.5)
    first = cycle_records()[0]
    print(f"first cycle (every table read fully, under the real rates): {first['durationMs'] / 1000:.1f} s, "
          f"{sum(first.get('requests', {}).values())} requests: "
          + ", ".join(f"{op} {n}" for op, n in sorted(first.get("requests", {}).items())))
    cpu_start, seen = cpu_seconds(), len(cycle_records())
    wall_start = time.perf_counter()
    while len(cycle_records()) < seen + cycles_wanted:
        time.sleep(0.5)
    cpu = cpu_seconds() - cpu_start
    wall = time.perf_counter() - wall_start
    steady = cycle_records()[seen:seen + cycles_wanted]
    _, by_operation, throttled = journal_summary(port)
    totals = {}
    for record in steady:
        for operation, n in record.get("requests", {}).items():
            totals[operation] = totals.get(operation, 0) + n
    requests = sum(totals.values())
    counts = steady[-1]["counts"]
    print(f"== the daemon over {count} in-sync tables, {len(steady)} steady cycles (every 2 s, a 300 s drift sweep "
          f"spread over them), DynamoDB's real per-operation rates")
    print(f"requests: {requests / (len(steady) * count):.3f} per table per cycle (goal <= 1.1; 4 before): "
          + ", ".join(f"{op} {n}" for op, n in sorted(totals.items())))
    print(f"throttling answers over the whole run, first cycle included: {throttled} (goal 0)")
    # The busiest second of each operation over the whole run: the most requests in any window of one second,
    # wherever it starts (DynamoDB's rates are per second).
    times = {}
    for entry in control(port, "GET", "journal")["entries"]:
        times.setdefault(entry["operation"], []).append(entry["time"])
    peaks = {}
    for operation, stamps in times.items():
        stamps.sort()
        first, peak = 0, 0
        for last, stamp in enumerate(stamps):
            while stamp - stamps[first] >= 1.0:
                first += 1
            peak = max(peak, last - first + 1)
        peaks[operation] = peak
    print("busiest second per operation (any one-second window): "
          + ", ".join(f"{op} {n}" for op, n in sorted(peaks.items()))
          + " (DynamoDB: ListTagsOfResource and DescribeContinuousBackups 10, TagResource 5)")
    print("per steady cycle: " + "; ".join(
        f"{sum(r.get('requests', {}).values())} ({r.get('requests', {}).get('GetResources', 0)} GetResources)"
        for r in steady))
    print(f"last cycle: {counts['in_sync']} in sync; CPU {cpu:.2f} s over {len(steady)} cycles in {wall:.0f} s: "
          f"{cpu / len(steady) * 1000:.0f} ms per cycle")
    daemon.terminate()
    daemon.wait(timeout=30)
    daemon = None

    if count > 2000:
        raise SystemExit(0)  # the CPU comparison is made at 1,000 tables
    # The boto3 script that reads the same tables once with the four calls a table needs (rates off: its CPU).
    control(port, "POST", "settings", {"rates": RATES_OFF})
    observe = boto3_observe_script(endpoint, names)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", observe], env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    py_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"boto3 reading the {count} tables once (4 calls each): CPU {py_cpu:.2f} s; a steady daemon cycle is "
          f"{cpu / len(steady) / py_cpu:.3f}x of it (goal <= 0.15x)")
finally:
    if daemon is not None:
        daemon.kill()
    moto.kill()
