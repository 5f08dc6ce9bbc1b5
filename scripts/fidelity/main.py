"""Starts the endpoint on a loopback port and prints the port (and writes it to --port-file)."""
import argparse
import json
import os
import signal
import sys

from .endpoint import Endpoint
from .httpserver import Server
from .settings import Settings


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
    server = Server(("127.0.0.1", arguments.port), Endpoint(settings))
    port = server.server_address[1]
    if arguments.port_file:
        temporary = arguments.port_file + ".tmp"
        with open(temporary, "w") as handle:
            handle.write(f"{port}\n")
        os.replace(temporary, arguments.port_file)
    print(port, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, SystemExit):
        pass
    return 0
