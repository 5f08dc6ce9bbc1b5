"""A keep-alive HTTP/1.1 server on loopback (moto's own server closes every connection)."""
import socket
import struct
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .wire import Request, Response


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body leave in separate writes: without this, Nagle and delayed ACKs add 40 ms per answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.command, self.path, headers, body, self.server.server_address[1])
        try:
            response = self.server.endpoint.handle(request)
        except Exception as error:  # a bug must read as a server error, never as a dropped connection
            response = Response(500, f"fidelity endpoint error: {error}".encode(), content_type="text/plain")
        if response.delay:
            time.sleep(response.delay)
        if response.reset:
            # RST instead of FIN: the client sees "connection reset by peer".
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.server.resetting.add(self.connection)
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, endpoint):
        super().__init__(address, Handler)
        self.endpoint = endpoint
        self.resetting = set()

    def shutdown_request(self, request):
        # The usual shutdown(SHUT_WR) would send FIN first; a reset connection is closed at once (RST).
        if request in self.resetting:
            self.resetting.discard(request)
            self.close_request(request)
        else:
            super().shutdown_request(request)
