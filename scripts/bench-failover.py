"""Benchmark: leader failover. Two daemons share one configuration, a git remote and the fidelity endpoint, with a
lease of LEASE seconds renewed every LEASE/4.

- Failover time: SIGKILL of the leader until the standby's /metrics says it leads (median and worst of RUNS).
- Lease requests: GetItem, PutItem and UpdateItem per daemon per hour, from the endpoint's journal over a quiet
  minute (goal: at most 3,600 / renewEvery each).
- Double changes: FAILOVERS forced failovers, each with a commit pushed just before the leader is killed (a new
  tag value); every commit must be applied by exactly one TagResource.

Usage: bench-failover.py TABLEKEEPER_BINARY WORK_DIR [RUNS] [FAILOVERS] [LEASE]"""
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

from benchmoto import control, free_port, start_fidelity

binary, work = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
failovers = int(sys.argv[4]) if len(sys.argv) > 4 else 50
lease = float(sys.argv[5]) if len(sys.argv) > 5 else 2.0
renew = lease / 4
TABLES = [f"failover-{i}" for i in range(4)]
MUTATING = {"CreateTable", "UpdateTable", "DeleteTable", "TagResource", "UntagResource", "UpdateTimeToLive",
            "UpdateContinuousBackups"}


def git(*arguments):
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", *arguments],
                   cwd=repo, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def manifest(name, round_number):
    return json.dumps({"tableName": name, "partitionKey": {"name": "id", "type": "S"},
                       "tags": {"round": str(round_number)}})


def commit(name, round_number):
    with open(os.path.join(repo, "manifests", f"{name}.json"), "w") as out:
        out.write(manifest(name, round_number))
    git("commit", "-qam", f"{name}: round {round_number}")


def leads(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1) as answer:
            text = answer.read().decode()
    except OSError:
        return None
    return any(line.startswith("tablekeeper_leader{") and line.endswith(" 1.0") for line in text.splitlines())


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def journal(since=0):
    return control(port, "GET", f"journal?since={since}")["entries"]


def last_seq():
    entries = journal()
    return max((entry["seq"] for entry in entries), default=0)


repo = os.path.join(work, "remote")
os.makedirs(os.path.join(repo, "manifests"), exist_ok=True)
subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
for name in TABLES:
    with open(os.path.join(repo, "manifests", f"{name}.json"), "w") as out:
        out.write(manifest(name, 0))
git("add", "-A")
git("commit", "-qm", "tables")

fidelity, port = start_fidelity({"createDelay": 0.3, "describeLag": 0.1, "updateDelay": 0.2})
nodes = []
for node in range(2):
    folder = os.path.join(work, f"node{node}")
    os.makedirs(folder, exist_ok=True)
    http = free_port()
    config = {"source": {"url": repo, "allowLocal": True, "interval": "2s",
                         "cacheDirectory": os.path.join(folder, "cache", "repo")},
              "aws": {"region": "us-east-1", "endpoint": f"http://127.0.0.1:{port}"},
              "statusLog": {"path": os.path.join(folder, "status.jsonl")},
              "http": {"listen": f"127.0.0.1:{http}"},
              "leader": {"leaseDuration": f"{int(lease * 1000)}ms", "renewEvery": f"{int(renew * 1000)}ms"}}
    with open(os.path.join(folder, "config.json"), "w") as out:
        json.dump(config, out)
    nodes.append({"config": os.path.join(folder, "config.json"), "port": http, "key": f"AKIDNODE{node}",
                  "process": None})


def start(node):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=node["key"], AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true")
    node["process"] = subprocess.Popen([binary, "run", "--config", node["config"], "--log-level", "error"],
                                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: leads(node["port"]) is not None, 30)


def leader():
    for index, node in enumerate(nodes):
        if leads(node["port"]):
            return index
    return None


def failover():
    """Kills the leader, restarts it as a standby, and returns how long the other took to lead."""
    current = leader()
    other = 1 - current
    killed = time.monotonic()
    nodes[current]["process"].send_signal(signal.SIGKILL)
    nodes[current]["process"].wait()
    if not wait_for(lambda: leads(nodes[other]["port"]), lease * 5):
        raise SystemExit("no takeover within 5 leases")
    took = time.monotonic() - killed
    start(nodes[current])
    return took


try:
    for node in nodes:
        start(node)
    if not wait_for(lambda: leader() is not None, 30):
        raise SystemExit("nobody leads")
    time.sleep(lease * 2)

    # Lease requests per daemon over a quiet minute.
    quiet = 60
    mark = last_seq()
    time.sleep(quiet)
    spent = {node["key"]: 0 for node in nodes}
    for entry in journal(mark):
        if entry["operation"] in ("GetItem", "PutItem", "UpdateItem") and entry["caller"] in spent:
            spent[entry["caller"]] += 1
    per_hour = {key: count * 3600 / quiet for key, count in spent.items()}
    goal = 3600 / renew
    print(f"lease requests per daemon per hour (lease {lease:g} s, renewEvery {renew:g} s): "
          + ", ".join(f"{key} {value:,.0f}" for key, value in sorted(per_hour.items()))
          + f" (goal <= {goal:,.0f})")

    times = [failover() for _ in range(runs)]
    print(f"failover after SIGKILL over {runs} runs: median {statistics.median(times):.2f} s "
          f"({statistics.median(times) / lease:.2f} leases), worst {max(times):.2f} s ({max(times) / lease:.2f} "
          f"leases) (goal <= 2 leases)")

    doubles = 0
    missing = 0
    for round_number in range(1, failovers + 1):
        name = TABLES[round_number % len(TABLES)]
        mark = last_seq()
        commit(name, round_number)
        failover()
        applied = lambda: [entry for entry in journal(mark)
                           if entry["operation"] == "TagResource" and entry["table"] == name
                           and entry["status"] == 200]
        wait_for(lambda: len(applied()) >= 1, 30)
        time.sleep(renew * 2)
        count = len(applied())
        doubles += count > 1
        missing += count == 0
    mutations = sum(1 for entry in journal() if entry["operation"] in MUTATING)
    print(f"{failovers} forced failovers, a commit pushed during each: {doubles} applied twice, {missing} not "
          f"applied, {mutations} state-changing calls in all (goal: 0 twice)")
finally:
    for node in nodes:
        if node["process"] and node["process"].poll() is None:
            node["process"].kill()
    fidelity.kill()
