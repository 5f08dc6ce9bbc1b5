"""Helpers the Python benchmarks share: a free loopback port, a moto server, and the fidelity endpoint."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port):
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.2)


def start_moto():
    """Starts moto on a free loopback port and waits until it accepts connections; returns (process, port)."""
    port = free_port()
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port)
    return moto, port


def start_fidelity(settings=None):
    """Starts the fidelity endpoint (DynamoDB's real states, quotas and rates) on a free loopback port;
    returns (process, port)."""
    process = subprocess.Popen([sys.executable, os.path.join(HERE, "fidelity-endpoint"), "--config",
                                json.dumps(settings or {})], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    port = int(process.stdout.readline())
    return process, port


def control(port, method, path, body=None):
    """Calls the fidelity endpoint's control API."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}/__fidelity/{path}", data=data, method=method)
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


def journal_summary(port):
    """Requests by operation and the throttling answers since the journal was last cleared."""
    entries = control(port, "GET", "journal")["entries"]
    by_operation = {}
    for entry in entries:
        by_operation[entry["operation"]] = by_operation.get(entry["operation"], 0) + 1
    throttled = sum(1 for entry in entries if entry["code"] == "ThrottlingException")
    return len(entries), by_operation, throttled
