"""The Resource Groups Tagging API's GetResources for DynamoDB tables, as AWS answers it. moto 5.2.1 ignores
ResourceARNList, never returns once-tagged resources and accepts forbidden combinations (reference 1.3)."""
import base64
import json

from .errors import plain
from .service import Service
from .wire import Response

EXCLUSIVE = ("TagFilters", "ResourceTypeFilters", "ResourcesPerPage", "TagsPerPage", "PaginationToken")


class Tagging(Service):
    def throttle_fault(self, operation):
        return plain("ThrottledException", "Rate exceeded")

    def handle(self, request, account):
        if request.operation != "GetResources":
            return self.endpoint.forward(request)
        payload = request.payload
        now = self.endpoint.clock.now()
        states = self.endpoint.dynamodb.states
        tables = sorted((state.arn, state) for (acct, region, _), state in states.items()
                        if acct == account and region == request.region and state.ever_tagged(now))
        if "ResourceARNList" in payload:
            arns = payload["ResourceARNList"]
            if any(member in payload for member in EXCLUSIVE):
                raise plain("InvalidParameterException", "ResourceARNList can't be specified with TagFilters, "
                            "ResourceTypeFilters, ResourcesPerPage, TagsPerPage or PaginationToken")
            if not isinstance(arns, list) or not 1 <= len(arns) <= 100:
                raise plain("InvalidParameterException", "ResourceARNList must hold between 1 and 100 ARNs")
            wanted = set(arns)
            chosen = [(arn, state) for arn, state in tables if arn in wanted]
            return Response.json({"ResourceTagMappingList": [self.mapping(arn, state, now) for arn, state in chosen],
                                  "PaginationToken": ""}, content_type=self.content_type)
        types = payload.get("ResourceTypeFilters") or []
        if types and not any(kind in ("dynamodb", "dynamodb:table") for kind in types):
            tables = []
        for tag_filter in payload.get("TagFilters") or []:
            key, values = tag_filter.get("Key"), tag_filter.get("Values") or []
            tables = [(arn, state) for arn, state in tables
                      if key in state.visible_tags(now) and (not values or state.visible_tags(now)[key] in values)]
        per_page = int(payload.get("ResourcesPerPage") or 50)
        if not 1 <= per_page <= 100:
            raise plain("InvalidParameterException", "ResourcesPerPage must be between 1 and 100")
        start = 0
        if payload.get("PaginationToken"):
            try:
                start = json.loads(base64.b64decode(payload["PaginationToken"]))["offset"]
            except Exception:
                raise plain("PaginationTokenExpiredException", "Token does not exist")
        page = tables[start:start + per_page]
        token = ""
        if start + per_page < len(tables):
            token = base64.b64encode(json.dumps({"offset": start + per_page}).encode()).decode()
        return Response.json({"ResourceTagMappingList": [self.mapping(arn, state, now) for arn, state in page],
                              "PaginationToken": token}, content_type=self.content_type)

    @staticmethod
    def mapping(arn, state, now):
        tags = state.visible_tags(now)
        return {"ResourceARN": arn, "Tags": [{"Key": key, "Value": value} for key, value in sorted(tags.items())]}
