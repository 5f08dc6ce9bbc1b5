"""The control API, under /__fidelity/ (a path DynamoDB never uses): clock, settings, faults, journal, reset."""
import json
from urllib.parse import parse_qs

from .wire import Response


class Control:
    def __init__(self, endpoint):
        self.endpoint = endpoint

    def handle(self, request):
        path, _, query = request.path.partition("?")
        route = (request.method, path.rstrip("/"))
        try:
            body = json.loads(request.body) if request.body else {}
            return self.route(route, body, parse_qs(query))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            return Response.json({"error": str(error)}, status=400, content_type="application/json")

    def route(self, route, body, query):
        endpoint = self.endpoint
        answer = None
        if route == ("GET", "/__fidelity/health"):
            answer = {"ok": True}
        elif route == ("GET", "/__fidelity/warm"):
            # Whether moto's services are imported yet (waits up to 1 s for it).
            answer = {"warm": endpoint.warmed.wait(1)}
        elif route == ("GET", "/__fidelity/clock"):
            answer = {"now": endpoint.clock.now()}
        elif route == ("POST", "/__fidelity/clock"):
            endpoint.clock.advance(float(body["advance"]))
            answer = {"now": endpoint.clock.now()}
        elif route == ("GET", "/__fidelity/settings"):
            answer = endpoint.settings.values
        elif route == ("POST", "/__fidelity/settings"):
            endpoint.settings.merge(body)
            answer = endpoint.settings.values
        elif route == ("GET", "/__fidelity/faults"):
            answer = {"faults": endpoint.faults.pending()}
        elif route == ("POST", "/__fidelity/faults"):
            answer = endpoint.faults.add(body)
        elif route == ("DELETE", "/__fidelity/faults"):
            endpoint.faults.clear()
            answer = {"ok": True}
        elif route == ("GET", "/__fidelity/journal"):
            since = int(query.get("since", ["0"])[0])
            answer = {"entries": endpoint.journal.entries(
                since, query.get("operation", [None])[0], query.get("table", [None])[0],
                query.get("caller", [None])[0])}
        elif route == ("DELETE", "/__fidelity/journal"):
            endpoint.journal.clear()
            answer = {"ok": True}
        elif route == ("POST", "/__fidelity/reset"):
            endpoint.reset()
            answer = {"ok": True}
        if answer is None:
            return Response.json({"error": f"no route {route[0]} {route[1]}"}, status=404,
                                 content_type="application/json")
        return Response.json(answer, content_type="application/json")
