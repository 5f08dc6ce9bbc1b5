"""Helpers the Python benchmarks share: a free loopback port, a moto server, and the fidelity endpoint."""
import json
import os
import socket
import subprocess
import sys
import threading
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


GSI_KEYS = ("status", "owner", "profile")
_clients = threading.local()  # one boto3 client per set-up thread


def create_bench_table(endpoint, name, manifests, manifest_path, gsi_count=3):
    """An in-sync table with `gsi_count` GSIs (at most 3), TTL, PITR and tags, and its manifest in `manifests` (as
    the daemon would have made it: `tablekeeper:managed` and `tablekeeper:manifest` = `manifest_path`)."""
    import boto3
    if getattr(_clients, "endpoint", None) != endpoint:
        _clients.endpoint = endpoint
        _clients.ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                                    aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench")
    ddb = _clients.ddb
    keys = GSI_KEYS[:gsi_count]
    gsis = [{"indexName": f"gsi-{k}", "partitionKey": {"name": k, "type": "S"},
             "sortKey": {"name": "created_at", "type": "S"}} for k in keys]
    manifest = {"tableName": name, "partitionKey": {"name": "id", "type": "S"}, "globalSecondaryIndexes": gsis,
                "ttlAttribute": "ttl", "pointInTimeRecovery": True, "tags": {"app": "bench"}}
    with open(os.path.join(manifests, f"{name}.json"), "w") as out:
        json.dump(manifest, out)
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("id", *keys, *(["created_at"] if keys else []))],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        **({"GlobalSecondaryIndexes": [{"IndexName": f"gsi-{k}", "Projection": {"ProjectionType": "ALL"},
                                        "KeySchema": [{"AttributeName": k, "KeyType": "HASH"},
                                                      {"AttributeName": "created_at", "KeyType": "RANGE"}]}
                                       for k in keys]} if keys else {}),
        SSESpecification={"Enabled": True, "SSEType": "KMS"},
        Tags=[{"Key": "app", "Value": "bench"}, {"Key": "tablekeeper:managed", "Value": "true"},
              {"Key": "tablekeeper:manifest", "Value": manifest_path}])
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def boto3_observe_script(endpoint, names):
    """A Python program that reads `names` once with the four calls a table needs, 16 threads."""
    return f"""
import boto3, threading
from concurrent.futures import ThreadPoolExecutor
local = threading.local()
def ddb():
    if not hasattr(local, "c"):
        local.c = boto3.client("dynamodb", endpoint_url="{endpoint}", region_name="us-east-1")
    return local.c
def observe(name):
    c = ddb()
    arn = c.describe_table(TableName=name)["Table"]["TableArn"]
    c.describe_time_to_live(TableName=name)
    c.describe_continuous_backups(TableName=name)
    c.list_tags_of_resource(ResourceArn=arn)
with ThreadPoolExecutor(16) as pool:
    list(pool.map(observe, {names!r}))
"""
