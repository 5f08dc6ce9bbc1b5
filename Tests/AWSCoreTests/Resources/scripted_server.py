"""A loopback HTTP server for client tests: answers requests with a scripted list of responses.

Usage: scripted_server.py RESPONSES_JSON COUNT_FILE
RESPONSES_JSON is a list of [status, body] answered in order; after the list, every request gets the last one.
COUNT_FILE receives the number of requests answered so far.
Prints the port it listens on, then serves until killed. Binds 127.0.0.1 only.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

responses = json.loads(sys.argv[1])
lock = threading.Lock()
count = [0]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.do_POST()

    def do_PUT(self):
        self.do_POST()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        with lock:
            with open(sys.argv[2] + ".requests", "a") as log:
                log.write(f"{self.command} {self.path} {self.headers.get('Authorization', '')}"
                          f" {self.headers.get('x-aws-ec2-metadata-token', '')}\n")
        with lock:
            index = min(count[0], len(responses) - 1)
            count[0] += 1
            with open(sys.argv[2], "w") as counter:
                counter.write(str(count[0]))
        status, body = responses[index]
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-Count", str(count[0]))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
