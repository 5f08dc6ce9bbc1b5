#!/usr/bin/env python3
"""The daemon's figures: RSS over 1,000 cycles of the three example tables (each asked for through the control
socket, as `tablekeeper reconcile` does: signed webhooks start at most one cycle per 10 s and a repeated delivery is
ignored, by design), CPU between cycles, and the time from a pushed commit plus its webhook to the change applied.

Usage: bench-daemon.py BINARY WORKDIR [CYCLES]   (loopback only: the fidelity endpoint, a local git repository)
"""
import hashlib, hmac, json, os, shutil, socket, statistics, subprocess, sys, time, urllib.request

from benchmoto import free_port, start_fidelity

binary, work = sys.argv[1], sys.argv[2]
cycles_wanted = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.makedirs(work, exist_ok=True)


def git(*args):
    subprocess.run(["git", "-C", repo, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# DynamoDB's states and delays as the endpoint plays them; its request rates are off, since this measures the
# daemon's memory and CPU over a thousand back-to-back cycles, not the account's request budget (scripts/bench plan).
moto, moto_port = start_fidelity({"rates": {"ListTagsOfResource": 0, "DescribeContinuousBackups": 0,
                                            "TagResource": 0, "UntagResource": 0, "controlPlane": 0}})
http_port = free_port()
repo = os.path.join(work, "repo")
shutil.copytree(os.path.join(root, "manifests"), os.path.join(repo, "manifests"))
subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
git("-c", "user.name=bench", "-c", "user.email=bench@localhost", "add", "-A")
git("-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-qm", "manifests")
secret = b"bench-webhook-secret-0123456789"
with open(os.open(os.path.join(work, "secret"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
    f.write(secret)
status_log = os.path.join(work, "status.jsonl")
config = {
    "source": {"url": repo, "allowLocal": True, "interval": "1h", "cacheDirectory": os.path.join(work, "cache")},
    "aws": {"region": "us-east-1", "endpoint": f"http://127.0.0.1:{moto_port}"},
    "statusLog": {"path": status_log},
    "control": {"socket": os.path.join(work, "control.sock")},
    "http": {"listen": f"127.0.0.1:{http_port}", "webhookSecretFile": os.path.join(work, "secret")},
}
with open(os.path.join(work, "config.json"), "w") as f:
    json.dump(config, f)
env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true")
daemon = subprocess.Popen([binary, "run", "--config", os.path.join(work, "config.json"), "--log-level", "warning"],
                          env=env, stdout=subprocess.DEVNULL)


def get(path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}{path}", timeout=10) as response:
            return response.read().decode()
    except Exception:
        return ""


def cycles():
    for line in get("/metrics").splitlines():
        if line.startswith("tablekeeper_cycles_total "):
            return int(float(line.split()[1]))
    return 0


def webhook(after="0" * 40):
    # A push event names its commit: each commit's delivery is a new one (a repeated body is taken as a replay).
    body = json.dumps({"ref": "refs/heads/main", "after": after}).encode()
    signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(f"http://127.0.0.1:{http_port}/hooks/git", data=body, method="POST",
                                     headers={"X-Hub-Signature-256": signature})
    urllib.request.urlopen(request, timeout=10).read()


def reconcile():
    """One cycle through the control socket, git fetched first, waited for (`tablekeeper reconcile --with-source`)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(60)
        client.connect(os.path.join(work, "control.sock"))
        client.sendall(b'{"command": "reconcile", "withSource": true}\n')
        while client.recv(65536):
            pass


def rss_kib():
    """(RSS, anonymous RSS) in KiB; the rest of RSS is code mapped from the binary and the Swift libraries."""
    values = {}
    with open(f"/proc/{daemon.pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "RssAnon:")):
                values[line.split(":")[0]] = int(line.split()[1])
    return values["VmRSS"], values["RssAnon"]


def worker_rss_kib():
    """RSS of the daemon's kept git worker (its children), in KiB."""
    total = 0
    for task in os.listdir(f"/proc/{daemon.pid}/task"):
        for child in open(f"/proc/{daemon.pid}/task/{task}/children").read().split():
            with open(f"/proc/{child}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return total


def cpu_seconds():
    fields = open(f"/proc/{daemon.pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


try:
    deadline = time.time() + 60
    while cycles() < 1 and time.time() < deadline:
        time.sleep(0.1)
    # Until the tables are in sync (created, then TTL and PITR applied on requeue).
    deadline = time.time() + 60
    while "3 in_sync" not in get("/readyz") and time.time() < deadline:
        reconcile()
        time.sleep(0.3)
    samples = {}
    start_cycles, started = cycles(), time.time()
    done = start_cycles
    while done - start_cycles < cycles_wanted:
        reconcile()
        done = cycles()
        n = done - start_cycles
        if n in (10, 100, 250, 500, 750, cycles_wanted) and n not in samples:
            samples[n] = rss_kib()
    elapsed = time.time() - started
    print(f"{cycles_wanted} cycles on demand (control socket) over the 3 example tables in {elapsed:.1f} s "
          f"({elapsed / cycles_wanted * 1000:.0f} ms per cycle, git poll included)")
    print("RSS (MB) after cycles: " + ", ".join(f"{n}: {rss / 1024:.1f}" for n, (rss, _) in sorted(samples.items()))
          + " (goal under 30 MB and flat)")
    print("  of which anonymous (heap, stacks): " + ", ".join(f"{n}: {anon / 1024:.1f}"
                                                             for n, (_, anon) in sorted(samples.items())))
    print(f"  the kept git worker: {worker_rss_kib() / 1024:.1f} MB RSS (code pages shared with the daemon)")

    time.sleep(2)
    before, t0 = cpu_seconds(), time.time()
    time.sleep(20)
    idle = cpu_seconds() - before
    print(f"CPU between cycles: {idle * 1000:.0f} ms over {time.time() - t0:.0f} s idle "
          f"({idle / (time.time() - t0) * 100:.2f} % of a core; goal near zero)")

    latencies = []
    for i in range(5):
        path = os.path.join(repo, "manifests", "sentinel-requests.json")
        manifest = json.load(open(path))
        manifest.setdefault("tags", {})["bench"] = str(i)
        json.dump(manifest, open(path, "w"), indent=2)
        git("-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-qam", f"tag {i}")
        head = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        # Past the webhook gate's 10 s spacing, so the delivery starts its cycle at once.
        time.sleep(10.5)
        pushed = time.time()
        webhook(head)
        applied = None
        while time.time() - pushed < 30 and applied is None:
            with open(status_log) as f:
                for line in f:
                    if head in line and '"kind":"table"' in line and '"outcome":"updated"' in line:
                        applied = time.time() - pushed
            time.sleep(0.01)
        latencies.append(applied if applied is not None else float("inf"))
    print(f"commit + webhook to change applied (tags on one table): median {statistics.median(latencies) * 1000:.0f} ms, "
          f"worst {max(latencies) * 1000:.0f} ms over {len(latencies)} commits (goal under 1 s plus DynamoDB's time)")
finally:
    daemon.terminate()
    daemon.wait(timeout=15)
    moto.kill()
