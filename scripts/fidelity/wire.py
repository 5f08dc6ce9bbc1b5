"""Requests and answers as the endpoint sees them, and calls into moto's own WSGI application."""
import io
import json
import re
import sys
import uuid
import zlib

from .errors import AWSFault

SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


class Request:
    def __init__(self, method, path, headers, body, port):
        self.method = method
        self.path = path
        self.headers = headers  # a dict with lower-case names
        self.body = body
        self.port = port
        match = SCOPE.search(headers.get("authorization", ""))
        self.access_key = match.group(1) if match else "AKIAEXAMPLE"
        self.region = match.group(2) if match else "us-east-1"
        self.signing_service = match.group(3) if match else ""
        target = headers.get("x-amz-target", "")
        self.service, _, self.operation = target.rpartition(".")
        self._payload = None

    @property
    def payload(self):
        if self._payload is None:
            try:
                self._payload = json.loads(self.body or b"{}")
            except ValueError:
                raise AWSFault("SerializationException", "Start of structure or map found where not expected",
                               namespace="com.amazon.coral.service#", message_key="Message")
            if not isinstance(self._payload, dict):
                raise AWSFault("SerializationException", "Expected a JSON object",
                               namespace="com.amazon.coral.service#", message_key="Message")
        return self._payload

    def derived(self, operation=None, payload=None, region=None):
        """The same caller's request for another operation, payload or region (for internal calls)."""
        headers = dict(self.headers)
        if operation:
            headers["x-amz-target"] = f"{self.service}.{operation}"
        if region and region != self.region:
            headers["authorization"] = headers.get("authorization", "").replace(
                f"/{self.region}/", f"/{region}/", 1)
        body = json.dumps(payload).encode() if payload is not None else self.body
        headers["content-length"] = str(len(body))
        return Request(self.method, self.path, headers, body, self.port)


class Response:
    def __init__(self, status=200, body=b"", headers=None, content_type="application/x-amz-json-1.0"):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.headers.setdefault("Content-Type", content_type)
        # Every AWS answer carries a request id; DynamoDB's also a CRC32 of the body.
        self.headers.setdefault("x-amzn-RequestId", uuid.uuid4().hex.upper())
        if content_type == "application/x-amz-json-1.0":
            self.headers.setdefault("x-amz-crc32", str(zlib.crc32(body) & 0xFFFFFFFF))
        self.reset = False      # close the connection without an answer
        self.delay = 0.0        # seconds to wait before answering

    @classmethod
    def json(cls, value, status=200, content_type="application/x-amz-json-1.0"):
        return cls(status, json.dumps(value).encode(), content_type=content_type)

    @classmethod
    def fault(cls, fault, content_type="application/x-amz-json-1.0"):
        response = cls(fault.status, fault.body(), content_type=content_type)
        response.headers["x-amzn-ErrorType"] = fault.code
        response.code = fault.code
        return response

    def decoded(self):
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return {}

    @property
    def error_code(self):
        if self.status < 300:
            return None
        code = getattr(self, "code", None)
        if code:
            return code
        kind = self.decoded().get("__type", "") if self.body[:1] == b"{" else ""
        return kind.rpartition("#")[2] or str(self.status)


def call_wsgi(app, request):
    """Runs one request through a WSGI application and collects its whole answer."""
    path, _, query = request.path.partition("?")
    environ = {
        "REQUEST_METHOD": request.method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(request.port), "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(request.body), "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.multithread": True,
        "wsgi.multiprocess": False, "wsgi.run_once": False, "CONTENT_LENGTH": str(len(request.body)),
        "CONTENT_TYPE": request.headers.get("content-type", ""),
    }
    for name, value in request.headers.items():
        if name not in ("content-type", "content-length"):
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"] = int(status.split(" ", 1)[0])
        captured["headers"] = headers

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    headers = {name: value for name, value in captured["headers"]
               if name.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date")}
    response = Response(captured["status"], body, headers)
    return response
