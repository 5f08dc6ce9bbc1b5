"""Application Auto Scaling through moto, with its known faults fixed (reference more-aws 2.5): moto accepts
targets for missing tables, Min above Max and step scaling for DynamoDB, answers not-found with
ValidationException, keeps a deregistered target's policies, and pages DescribeScalableTargets forever."""
import base64
import json

from .errors import plain
from .service import Service
from .wire import Response


def dynamodb_backends_():
    """moto's backends, imported on first use: the endpoint answers its port sooner (CI starts many at once)."""
    from moto.dynamodb.models import dynamodb_backends
    return dynamodb_backends


def autoscaling_backends_():
    """moto's backends, imported on first use: the endpoint answers its port sooner (CI starts many at once)."""
    from moto.applicationautoscaling.models import applicationautoscaling_backends
    return applicationautoscaling_backends


DIMENSIONS = {
    "dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits",
    "dynamodb:index:ReadCapacityUnits", "dynamodb:index:WriteCapacityUnits",
}


class AutoScaling(Service):
    def table_of(self, request):
        resource = request.payload.get("ResourceId") or ""
        return resource.split("/")[1] if resource.startswith("table/") else None

    def handle(self, request, account):
        payload = request.payload
        if payload.get("ServiceNamespace") != "dynamodb":
            return self.endpoint.forward(request)
        backend = autoscaling_backends_()[account][request.region]
        operation = request.operation
        if operation in ("RegisterScalableTarget", "PutScalingPolicy"):
            # A deleted table's targets stay behind and can still be deregistered (DevGuide AutoScaling).
            self.check_resource(account, request.region, payload)
        if operation == "RegisterScalableTarget":
            existing = backend.targets.get(payload["ScalableDimension"], {}).get(payload["ResourceId"])
            low = payload.get("MinCapacity", existing.min_capacity if existing else None)
            high = payload.get("MaxCapacity", existing.max_capacity if existing else None)
            if low is None or high is None:
                raise plain("ValidationException", "MinCapacity and MaxCapacity are required to register a new "
                            "scalable target")
            if low > high:
                raise plain("ValidationException", f"Minimum capacity cannot be greater than maximum capacity "
                            f"(MinCapacity {low}, MaxCapacity {high})")
        if operation == "PutScalingPolicy":
            if payload.get("PolicyType", "TargetTrackingScaling") != "TargetTrackingScaling":
                raise plain("ValidationException", "DynamoDB supports only TargetTrackingScaling policies")
            if payload["ResourceId"] not in backend.targets.get(payload["ScalableDimension"], {}):
                raise self.no_target(payload)
            target = (payload.get("TargetTrackingScalingPolicyConfiguration") or {}).get("TargetValue")
            if target is not None and not 20 <= target <= 90:
                raise plain("ValidationException", "TargetValue for DynamoDB must be between 20 and 90")
        if operation == "DeregisterScalableTarget":
            if payload["ResourceId"] not in backend.targets.get(payload["ScalableDimension"], {}):
                raise self.no_target(payload)
            response = self.endpoint.forward(request)
            for key, policy in list(backend.policies.items()):
                if (policy.resource_id, policy.scalable_dimension) == (payload["ResourceId"],
                                                                       payload["ScalableDimension"]):
                    del backend.policies[key]
            return response
        if operation == "DescribeScalableTargets":
            return self.describe_targets(request, payload)
        response = self.endpoint.forward(request)
        if response.status == 400 and b"No scalable target found" in response.body:
            message = response.decoded().get("message") or response.decoded().get("Message", "")
            raise plain("ObjectNotFoundException", message)
        return response

    def check_resource(self, account, region, payload):
        resource = payload.get("ResourceId") or ""
        dimension = payload.get("ScalableDimension")
        if dimension not in DIMENSIONS:
            raise plain("ValidationException", f"Unsupported scalable dimension {dimension}")
        parts = resource.split("/")
        is_index = dimension.startswith("dynamodb:index:")
        if parts[0] != "table" or len(parts) != (4 if is_index else 2) or (is_index and parts[2] != "index"):
            raise plain("ValidationException", f"Unsupported resource ID {resource} for {dimension}")
        table = dynamodb_backends_()[account][region].tables.get(parts[1])
        if table is None or (is_index and parts[3] not in {index.name for index in table.global_indexes}):
            # Application Auto Scaling checks that the DynamoDB resource exists; its exact text is not known.
            raise plain("ValidationException", f"Unable to find the DynamoDB resource {resource}")

    @staticmethod
    def no_target(payload):
        return plain("ObjectNotFoundException", "No scalable target registered for service namespace: dynamodb, "
                     f"resource ID: {payload['ResourceId']}, scalable dimension: {payload['ScalableDimension']}")

    def describe_targets(self, request, payload):
        """moto's targets, paged correctly (moto's own token repeats forever)."""
        size = int(payload.get("MaxResults") or 50)
        if not 1 <= size <= 50:
            raise plain("ValidationException", "MaxResults must be between 1 and 50")
        start = 0
        if payload.get("NextToken"):
            try:
                start = json.loads(base64.b64decode(payload["NextToken"]))["offset"]
            except Exception:
                raise plain("InvalidNextTokenException", "Invalid token")
        everything = dict(payload, MaxResults=1_000_000)
        everything.pop("NextToken", None)
        response = self.endpoint.forward(request.derived(payload=everything))
        if response.status != 200:
            return response
        targets = response.decoded().get("ScalableTargets", [])
        page = {"ScalableTargets": targets[start:start + size]}
        if start + size < len(targets):
            page["NextToken"] = base64.b64encode(json.dumps({"offset": start + size}).encode()).decode()
        return Response.json(page, content_type=self.content_type)
