"""Starts the endpoint on a loopback port and prints the port (and writes it to --port-file)."""
import argparse
import json
import os
import signal
import sys
import threading

from .endpoint import Endpoint
from .httpserver import Server
from .settings import Settings


def warm(endpoint):
    try:
        from moto.iam.models import get_account_id_from  # noqa: F401
        import moto.kms.models  # noqa: F401
        import moto.resourcegroupstaggingapi.models  # noqa: F401
        from .dynamodb import dynamodb_backends_
        dynamodb_backends_()
    except Exception:  # the request that needs them reports any failure
        pass
    finally:
        endpoint.warmed.set()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="fidelity-endpoint", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 (the default) picks a free port")
    parser.add_argument("--port-file", help="write the port here once listening")
    parser.add_argument("--config", default="{}", help="settings as JSON, e.g. '{\"createDelay\": 0.2}'")
    arguments = parser.parse_args(argv)
    try:
        settings = Settings(json.loads(arguments.config))
    except ValueError as error:
        print(f"fidelity-endpoint: --config: {error}", file=sys.stderr)
        return 2
    endpoint = Endpoint(settings)
    server = Server(("127.0.0.1", arguments.port), endpoint)
    port = server.server_address[1]
    if arguments.port_file:
        temporary = arguments.port_file + ".tmp"
        with open(temporary, "w") as handle:
            handle.write(f"{port}\n")
        os.replace(temporary, arguments.port_file)
    print(port, flush=True)
    # moto's services are imported in the background once the port is known, so the first request of a test on a
    # loaded machine does not wait (and time out) for them.
    threading.Thread(target=warm, args=(endpoint,), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, SystemExit):
        pass
    return 0
