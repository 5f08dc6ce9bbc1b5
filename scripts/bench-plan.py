"""Benchmark: `tablekeeper plan --manifests` against a boto3 script making the same four observe calls per table
(DescribeTable, DescribeTimeToLive, DescribeContinuousBackups, ListTagsOfResource) with 16 threads, side by side
against the fidelity endpoint on loopback holding N in-sync tables with 3 GSIs each: once with its request rates
off (the client's own cost) and once with DynamoDB's real per-operation rates (ListTagsOfResource and
DescribeContinuousBackups 10/s per account), which is what an account of that size gets.

Usage: bench-plan.py TABLEKEEPER_BINARY WORK_DIR [TABLES]"""
import json
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor


from benchmoto import boto3_observe_script, create_bench_table, control, journal_summary, start_fidelity

binary, work = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
manifests = os.path.join(work, "manifests")
os.makedirs(manifests, exist_ok=True)

# Tables are made ACTIVE at once for the set-up; the rates are what the two phases below change.
moto, port = start_fidelity({"createDelay": 0, "describeLag": 0, "pitrUnavailable": 0, "ttlDelay": 0, "tagLag": 0,
                             "rates": {"controlPlane": 0}})
endpoint = f"http://127.0.0.1:{port}"
env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDBENCH", AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1",
           AWS_EC2_METADATA_DISABLED="true")
try:
    names = [f"bench-{i:04d}" for i in range(count)]

    def create(name):
        create_bench_table(endpoint, name, manifests, os.path.join(manifests, f"{name}.json"))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, names))

    def measure(command):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu, result

    observe = boto3_observe_script(endpoint, names)
    def phase(title, rates):
        control(port, "POST", "settings", {"rates": rates})
        time.sleep(1.1)  # full buckets
        control(port, "DELETE", "journal")
        tk_wall, tk_cpu, tk = measure([binary, "plan", "--manifests", manifests, "--endpoint", endpoint,
                                       "--region", "us-east-1", "--json"])
        tk_requests, tk_by_operation, tk_throttled = journal_summary(port)
        time.sleep(1.1)
        control(port, "DELETE", "journal")
        py_wall, py_cpu, py = measure([sys.executable, "-c", observe])
        py_requests, _, py_throttled = journal_summary(port)
        plan = json.loads(tk.stdout) if tk.stdout else {}
        print(f"== {title}")
        print(f"tablekeeper plan --manifests: {count} tables, wall {tk_wall:.2f} s, CPU {tk_cpu:.2f} s, "
              f"exit {tk.returncode}, nothing to do: {plan.get('nothingToDo')}, {tk_requests} requests "
              f"({', '.join(f'{op} {n}' for op, n in sorted(tk_by_operation.items()))}), {tk_throttled} throttled")
        print(f"boto3, 16 threads, same 4 calls per table: wall {py_wall:.2f} s, CPU {py_cpu:.2f} s, "
              f"exit {py.returncode}, {py_requests} requests, {py_throttled} throttled")
        print(f"ratio: CPU {tk_cpu / py_cpu:.3f}x (goal <= 0.32x), wall {tk_wall / py_wall:.2f}x (goal <= 1x)")
        if tk.returncode not in (0, 2):
            print(tk.stderr[-2000:], file=sys.stderr)

    phase("request rates off (the client's own cost)", {"ListTagsOfResource": 0, "DescribeContinuousBackups": 0,
                                                         "TagResource": 0, "UntagResource": 0, "controlPlane": 0})
    phase("DynamoDB's real per-operation rates", {"ListTagsOfResource": 10, "DescribeContinuousBackups": 10,
                                                  "TagResource": 5, "UntagResource": 5, "controlPlane": 2500})
finally:
    moto.kill()
