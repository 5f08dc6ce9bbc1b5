"""Request rates, faults, keep-alive connections, the journal, the clock and the control API."""
import errno
import http.client
import json
import socket
import time

from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from .support import FidelityTestCase


class EndpointTest(FidelityTestCase):
    def burst(self, call, count):
        """Calls count times as fast as possible; returns the error codes (None for a success)."""
        started = time.monotonic()
        codes = []
        for _ in range(count):
            try:
                call()
                codes.append(None)
            except ClientError as error:
                codes.append(error.response["Error"]["Code"])
        self.elapsed = time.monotonic() - started
        return codes

    def assertBucket(self, codes, capacity, rate):
        """A full bucket of capacity requests, refilled at rate a second for as long as the burst took (a loaded
        machine sends it slower), and every refusal a ThrottlingException."""
        admitted = codes.count(None)
        self.assertGreaterEqual(admitted, capacity, codes)
        self.assertLessEqual(admitted, capacity + int(self.elapsed * rate), (codes, self.elapsed))
        self.assertLessEqual(set(codes) - {None}, {"ThrottlingException"})
        self.assertEqual(codes[:capacity], [None] * capacity, codes)

    def test_list_tags_is_throttled_beyond_ten_a_second(self):
        arn = self.create()["TableArn"]
        codes = self.burst(lambda: self.ddb.list_tags_of_resource(ResourceArn=arn), 14)
        self.assertBucket(codes, 10, 10)
        time.sleep(1.1)
        self.ddb.list_tags_of_resource(ResourceArn=arn)

    def test_tag_resource_is_throttled_beyond_five_a_second(self):
        arn = self.create()["TableArn"]
        codes = self.burst(lambda: self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "b"}]), 7)
        self.assertBucket(codes, 5, 5)

    def test_describe_continuous_backups_is_throttled_beyond_ten_a_second(self):
        self.create()
        codes = self.burst(lambda: self.ddb.describe_continuous_backups(TableName="orders"), 12)
        self.assertBucket(codes, 10, 10)

    def test_every_control_plane_call_shares_one_rate(self):
        self.create()
        self.endpoint.control("POST", "settings", {"rates": {"controlPlane": 5}})
        time.sleep(1)
        codes = self.burst(lambda: self.ddb.describe_table(TableName="orders"), 8)
        self.assertBucket(codes, 5, 5)

    def test_faults_500_503_slow_reset_and_lost(self):
        self.create()
        self.endpoint.control("POST", "faults", {"operation": "DescribeTable", "kind": "500", "count": 2})
        self.refused("InternalServerError", self.describe)
        self.refused("InternalServerError", self.describe)
        self.describe()
        self.endpoint.control("POST", "faults", {"operation": "DescribeTable", "kind": "503"})
        with self.assertRaises(ClientError) as caught:
            self.describe()
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)
        self.endpoint.control("POST", "faults", {"operation": "DescribeTable", "kind": "slow", "delay": 0.5})
        started = time.monotonic()
        self.describe()
        self.assertGreaterEqual(time.monotonic() - started, 0.5)
        self.endpoint.control("POST", "faults", {"operation": "DescribeTable", "kind": "reset"})
        with self.assertRaises((ConnectionClosedError, EndpointConnectionError, ClientError)):
            self.describe()
        # A lost answer: the change is made, the caller is told it failed.
        self.endpoint.control("POST", "faults", {"operation": "UpdateTable", "kind": "lost"})
        self.refused("InternalServerError", self.ddb.update_table, TableName="orders", DeletionProtectionEnabled=True)
        self.settle()
        self.assertTrue(self.describe()["DeletionProtectionEnabled"])
        self.assertEqual(self.endpoint.control("GET", "faults")["faults"], [])

    def test_a_denied_fault_answers_access_denied_naming_the_action(self):
        self.create()
        self.endpoint.control("POST", "faults", {"operation": "DescribeTable", "kind": "denied"})
        with self.assertRaises(ClientError) as caught:
            self.describe()
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], "AccessDeniedException")
        self.assertIn("dynamodb:DescribeTable", error["Message"])
        self.describe()

    def test_a_fault_can_name_its_table(self):
        self.create("orders-a")
        self.create("orders-b")
        self.endpoint.control("POST", "faults", {"operation": "DescribeTable", "kind": "500", "table": "orders-b"})
        self.describe("orders-a")
        self.refused("InternalServerError", self.describe, "orders-b")

    def test_connections_are_kept_alive(self):
        self.create()
        connection = http.client.HTTPConnection("127.0.0.1", self.endpoint.port)
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.DescribeTable",
                   "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDTEST/20261203/us-east-1/dynamodb/aws4_request, "
                                    "SignedHeaders=host, Signature=0"}
        for _ in range(3):
            connection.request("POST", "/", body=json.dumps({"TableName": "orders"}), headers=headers)
            answer = connection.getresponse()
            self.assertEqual(answer.status, 200)
            self.assertNotEqual(answer.getheader("Connection"), "close")
            answer.read()
        self.assertIsNotNone(connection.sock)
        connection.close()

    def test_the_journal_names_operation_table_caller_and_answer(self):
        self.create()
        other = self.endpoint.client("dynamodb", key="AKIDOTHER")
        other.describe_table(TableName="orders")
        self.refused("ResourceNotFoundException", self.ddb.describe_table, TableName="absent")
        entries = self.endpoint.control("GET", "journal?operation=DescribeTable")["entries"]
        self.assertEqual([(entry["caller"], entry["table"], entry["status"], entry["code"]) for entry in entries],
                         [("AKIDOTHER", "orders", 200, None), ("AKIDTEST", "absent", 400,
                                                                "ResourceNotFoundException")])
        self.assertEqual(len(self.endpoint.control("GET", "journal?caller=AKIDOTHER")["entries"]), 1)
        self.endpoint.control("DELETE", "journal")
        self.assertEqual(self.endpoint.control("GET", "journal")["entries"], [])

    def test_the_clock_moves_forward_only(self):
        before = self.endpoint.control("GET", "clock")["now"]
        after = self.endpoint.control("POST", "clock", {"advance": 86400})["now"]
        self.assertGreaterEqual(after - before, 86400)
        with self.assertRaises(Exception):
            self.endpoint.control("POST", "clock", {"advance": -1})

    def test_reset_forgets_tables_and_settings_and_unknown_settings_are_refused(self):
        self.create()
        self.endpoint.control("POST", "settings", {"createDelay": 99})
        self.endpoint.control("POST", "reset", {})
        self.assertEqual(self.endpoint.control("GET", "settings")["createDelay"], 2.0)
        self.refused("ResourceNotFoundException", self.describe)
        with self.assertRaises(Exception):
            self.endpoint.control("POST", "settings", {"createDelya": 1})

    def test_a_reset_fault_is_a_reset_not_a_clean_close(self):
        self.endpoint.control("POST", "faults", {"operation": "ListTables", "kind": "reset"})
        body = b"{}"
        request = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                   b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nAuthorization: AWS4-HMAC-SHA256 "
                   b"Credential=AKIDTEST/20261203/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"
                   b"\r\nContent-Length: 2\r\n\r\n" + body)
        with socket.create_connection(("127.0.0.1", self.endpoint.port), 5) as connection:
            connection.sendall(request)
            with self.assertRaises(ConnectionResetError) as caught:
                while connection.recv(4096):
                    pass
            self.assertEqual(caught.exception.errno, errno.ECONNRESET)
        entry = self.endpoint.control("GET", "journal?operation=ListTables")["entries"][-1]
        self.assertEqual((entry["status"], entry["fault"]), (None, "reset"))

    def test_a_lost_fault_waits_for_a_request_that_succeeds(self):
        self.create()
        self.ddb.update_table(TableName="orders", DeletionProtectionEnabled=True)
        self.endpoint.control("POST", "faults", {"operation": "UpdateTable", "kind": "lost"})
        # Refused (the table is UPDATING): the real answer, and the fault is kept.
        self.refused("ResourceInUseException", self.ddb.update_table, TableName="orders",
                     DeletionProtectionEnabled=False)
        self.assertEqual(len(self.endpoint.control("GET", "faults")["faults"]), 1)
        self.settle()
        self.refused("InternalServerError", self.ddb.update_table, TableName="orders",
                     DeletionProtectionEnabled=False)

    def test_settings_are_checked_and_applied_all_or_none(self):
        for bad in ({"createDelay": "soon"}, {"createDelay": -1}, {"rates": {"ListTagsOfResorce": 1}},
                    {"updateDelay": 2, "createDelya": 1}):
            with self.assertRaises(Exception):
                self.endpoint.control("POST", "settings", bad)
        self.assertEqual(self.endpoint.control("GET", "settings")["updateDelay"], 1.0)

    def test_a_rate_below_one_a_second_still_admits(self):
        self.create()
        self.endpoint.control("POST", "settings", {"rates": {"ListTables": 0.5}})
        self.ddb.list_tables()
        self.refused("ThrottlingException", self.ddb.list_tables)
