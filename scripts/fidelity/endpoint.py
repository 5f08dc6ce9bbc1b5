"""The endpoint: every request journaled, faults and rates applied, each service's rules, then moto."""
import os
import threading
import traceback

from moto.moto_server.threaded_moto_server import DomainDispatcherApplication, create_backend_app

from .autoscaling import AutoScaling
from .clock import Clock
from .control import Control
from .dynamodb import DynamoDB
from .errors import AWSFault
from .faults import Faults
from .journal import Journal
from .kms import KMS
from .rates import Rates
from .settings import Settings
from .tagging import Tagging
from .wire import Request, Response, call_wsgi


class Endpoint:
    def __init__(self, settings=None):
        self.settings = settings or Settings()
        self.clock = Clock()
        self.journal = Journal()
        self.faults = Faults()
        self.rates = Rates(self.settings)
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.warmed = threading.Event()  # set once moto's services are imported (see main.warm)
        self.lock = threading.RLock()
        self.dynamodb = DynamoDB(self)
        self.kms = KMS(self)
        self.services = {
            "DynamoDB_20120810": self.dynamodb,
            "TrentService": self.kms,
            "ResourceGroupsTaggingAPI_20170126": Tagging(self),
            "AnyScaleFrontendService": AutoScaling(self),
        }
        self.control = Control(self)

    def account(self, request):
        if "MOTO_ACCOUNT_ID" in os.environ:
            return os.environ["MOTO_ACCOUNT_ID"]
        from moto.iam.models import get_account_id_from  # on first use: a faster start
        return request.headers.get("x-moto-account-id") or get_account_id_from(request.access_key)

    def forward(self, request):
        """moto's own answer."""
        return call_wsgi(self.moto, request)

    def reset(self):
        with self.lock:
            call_wsgi(self.moto, Request("POST", "/moto-api/reset", {}, b"", 0))
            for service in self.services.values():
                service.reset()
            self.journal.clear()
            self.faults.clear()
            self.rates.reset()
            self.clock.reset()
            self.settings.restore()

    def handle(self, request):
        if request.path.startswith("/__fidelity"):
            return self.control.handle(request)
        service = self.services.get(request.service)
        if service is None:
            # moto's own API (/moto-api), other services: as moto answers.
            return self.forward(request)
        account = self.account(request)
        try:
            table = service.table_of(request)
        except Exception:
            table = None
        started = self.clock.now()
        fault = self.faults.take(request.operation, table)
        if fault and fault["kind"] in ("500", "503", "reset", "denied"):
            response = self.injected(fault, service, request.operation)
        else:
            response = self.dispatch(service, request, account)
            if fault and fault["kind"] == "slow":
                response.delay = fault["delay"]
            elif fault and fault["kind"] == "lost":
                if response.status < 300:
                    # The change was made; the client is told it failed.
                    response = self.injected(dict(fault, kind="500"), service, request.operation)
                else:
                    # Nothing was made, so nothing is lost: the fault waits for a request that succeeds.
                    self.faults.add(dict(fault, count=1))
        self.journal.record({
            "time": started, "service": request.service, "operation": request.operation, "table": table,
            "region": request.region, "account": account, "caller": request.access_key,
            "status": None if response.reset else response.status,
            "code": None if response.reset else response.error_code,
            "fault": fault["kind"] if fault else None,
        })
        return response

    @staticmethod
    def injected(fault, service, operation):
        if fault["kind"] == "denied":
            prefix = {"Tagging": "tag", "KMS": "kms", "AutoScaling": "application-autoscaling"}.get(
                type(service).__name__, "dynamodb")
            error = AWSFault("AccessDeniedException", "User: arn:aws:iam::123456789012:user/tablekeeper is not "
                             f"authorized to perform: {prefix}:{operation}", status=400)
            return Response.fault(error, service.content_type)
        if fault["kind"] == "reset":
            response = Response(500)
            response.reset = True
            return response
        if fault["kind"] == "503":
            error = AWSFault("ServiceUnavailable", "Service unavailable", status=503,
                             namespace="com.amazon.coral.availability#")
        else:
            error = AWSFault("InternalServerError", "Internal server error", status=500)
        return Response.fault(error, service.content_type)

    def dispatch(self, service, request, account):
        try:
            if not self.rates.admit(account, request.region, service.rate_names(request.operation)):
                raise service.throttle_fault(request.operation)
            with self.lock:
                return service.handle(request, account)
        except AWSFault as fault:
            return Response.fault(fault, service.content_type)
        except Exception as error:  # a bug here must read as a server error, not a hang
            traceback.print_exc()
            return Response.fault(AWSFault("InternalServerError", f"fidelity endpoint error: {error}", status=500),
                                  service.content_type)
