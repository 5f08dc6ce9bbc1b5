"""A keep-alive HTTP/1.1 responder on loopback that answers every POST with one canned DescribeTable response,
so a client benchmark measures the client and not the server (moto closes every connection).
Prints its port, then serves until killed."""
import json
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = json.dumps({"Table": {
    "TableName": "bench-0000", "TableStatus": "ACTIVE",
    "TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/bench-0000",
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
                             {"AttributeName": "status", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
    "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0, "NumberOfDecreasesToday": 0},
    "GlobalSecondaryIndexes": [{"IndexName": f"gsi-{i}", "IndexStatus": "ACTIVE",
                                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "ALL"}} for i in range(3)],
    "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS",
                       "KMSMasterKeyArn": "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-0000-0000-0000-000000000001"},
    "DeletionProtectionEnabled": True, "CreationDateTime": 1795926788.363}}).encode()


RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: "
            + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        # One write for head and body: no waiting on delayed acknowledgements between the two.
        self.wfile.write(RESPONSE)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
