"""Starts one fidelity endpoint per test module (a real process on a free loopback port, stopped by its pid)
and gives each test boto3 clients, a reset endpoint and the control API."""
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                      "fidelity-endpoint")
# Delays long enough that a slow machine still sees every intermediate state right after a call; the tests
# cross them (and windows of hours) by moving the clock, not by sleeping.
FAST = {"createDelay": 2.0, "updateDelay": 1.0, "gsiCreateDelay": 6.0, "gsiDeleteDelay": 1.0, "sseDelay": 1.0,
        "tableClassDelay": 1.0, "ttlDelay": 1.0, "describeLag": 1.0, "tagLag": 1.0, "pitrUnavailable": 3.0,
        "inaccessibleDelay": 1.0, "replicaCreateDelay": 2.0, "replicaUpdateDelay": 1.0, "deleteDelay": 1.0}


class Endpoint:
    def __init__(self, settings):
        self.process = subprocess.Popen([sys.executable, SCRIPT, "--config", json.dumps(settings)],
                                        stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
        self.port = int(self.process.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        os.kill(self.process.pid, 9)
        self.process.wait()

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + "/__fidelity/" + path, data=data, method=method)
        with urllib.request.urlopen(request) as answer:
            return json.loads(answer.read())

    def client(self, service, region="us-east-1", key="AKIDTEST"):
        return boto3.client(service, endpoint_url=self.url, region_name=region, aws_access_key_id=key,
                            aws_secret_access_key="secret",
                            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


class FidelityTestCase(unittest.TestCase):
    settings = FAST
    endpoint = None

    @classmethod
    def setUpClass(cls):
        cls.endpoint = Endpoint(cls.settings)

    @classmethod
    def tearDownClass(cls):
        cls.endpoint.stop()

    def setUp(self):
        self.endpoint.control("POST", "reset", {})
        self.ddb = self.endpoint.client("dynamodb")
        self.kms = self.endpoint.client("kms")

    def advance(self, seconds):
        self.endpoint.control("POST", "clock", {"advance": seconds})

    def create(self, name="orders", settle=True, **extra):
        request = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                   "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                   "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}
        for key, value in extra.items():
            if key == "AttributeDefinitions":
                request[key] = request[key] + value
            else:
                request[key] = value
        answer = self.ddb.create_table(**request)["TableDescription"]
        if settle:
            self.settle()
        return answer

    def settle(self):
        """Moves the clock past every pending state and window of a few seconds."""
        self.advance(30)

    def describe(self, name="orders", region=None):
        client = self.ddb if region is None else self.endpoint.client("dynamodb", region)
        return client.describe_table(TableName=name)["Table"]

    def refused(self, code, call, *args, contains=None, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(*args, **kwargs)
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], code, error.get("Message"))
        if contains:
            self.assertIn(contains, error["Message"])
        return error["Message"]

    def wait_for(self, condition, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if condition():
                    return True
            except ClientError:
                pass
            time.sleep(0.05)
        return False
