"""TTL, point-in-time recovery and tags: the settings DynamoDB changes outside UpdateTable."""
from .errors import AWSFault, not_found, validation
from .wire import Response

TAG_PUNCTUATION = set("+-=._:/")


def tag_text_ok(text):
    return all(ch.isalpha() or ch.isdigit() or ch.isspace() or ch in TAG_PUNCTUATION for ch in text)


class TableSettings:
    def __init__(self, dynamodb):
        self.dynamodb = dynamodb
        self.settings = dynamodb.settings
        self.clock = dynamodb.clock

    # TTL

    def op_DescribeTimeToLive(self, request, account):
        name = request.payload.get("TableName")
        _, state = self.dynamodb.existing(account, request.region, name)
        return Response.json({"TimeToLiveDescription": state.ttl_description(self.clock.now())})

    def op_UpdateTimeToLive(self, request, account):
        name = request.payload.get("TableName")
        spec = request.payload.get("TimeToLiveSpecification") or {}
        if "Enabled" not in spec or not spec.get("AttributeName"):
            raise validation("1 validation error detected: TimeToLiveSpecification must name Enabled and "
                             "AttributeName")
        _, state = self.dynamodb.existing(account, request.region, name)
        now = self.clock.now()
        state.require_settled(now)
        ttl = state.ttl
        enabled = bool(spec["Enabled"])
        if enabled and ttl["enabled"]:
            raise validation("TimeToLive is already enabled")
        if not enabled and not ttl["enabled"]:
            raise validation("TimeToLive is already disabled")
        if ttl["changed"] is not None and now - ttl["changed"] < self.settings["ttlInterval"]:
            # DevGuide ServiceQuotas and the UpdateTimeToLive model doc: one change per table per hour.
            raise validation("Time to live has been modified multiple times within a fixed interval")
        if not enabled and spec["AttributeName"] != ttl["attribute"]:
            raise validation("TimeToLive attribute name does not match the one enabled: "
                             f"{ttl['attribute']}")
        self.dynamodb.check_concurrency(account, request.region, now)
        state.ttl = {"enabled": enabled, "attribute": spec["AttributeName"], "changed": now,
                     "until": now + self.settings["ttlDelay"]}
        return Response.json({"TimeToLiveSpecification": {"Enabled": enabled,
                                                           "AttributeName": spec["AttributeName"]}})

    # Point-in-time recovery

    def op_UpdateContinuousBackups(self, request, account):
        name = request.payload.get("TableName")
        _, state = self.dynamodb.existing(account, request.region, name, table_not_found=True)
        if self.clock.now() < state.pitr_available_at:
            # The model names this error for a table whose backups are not yet available (just created).
            raise AWSFault("ContinuousBackupsUnavailableException",
                           f"Backups are being enabled for the table: {name}. Please retry later")
        return self.dynamodb.endpoint.forward(request)

    def op_DescribeContinuousBackups(self, request, account):
        name = request.payload.get("TableName")
        self.dynamodb.existing(account, request.region, name, table_not_found=True)
        return self.dynamodb.endpoint.forward(request)

    # Tags

    def tagged_state(self, request, account, arn):
        if not arn.startswith("arn:") or ":table/" not in arn:
            raise validation(f"Invalid TableArn: {arn}")
        parts = arn.split(":")
        region, arn_account = parts[3], parts[4]
        name = arn.split(":table/", 1)[1]
        if region != request.region:
            # DynamoDB serves only its own region's tables (the exact text for this case is not documented).
            raise not_found(f"Requested resource not found: ResourcArn: {arn} not found")
        if arn_account != account:
            raise AWSFault("AccessDeniedException", f"User is not authorized to access {arn}")
        table = self.dynamodb.moto_table(account, region, name)
        if table is None:
            raise not_found(f"Requested resource not found: ResourcArn: {arn} not found")
        return self.dynamodb.state(account, region, name, table)

    def validated_tags(self, current, tags):
        merged = dict(current)
        if not isinstance(tags, list):
            raise validation("One or more parameter values were invalid: Tags must be a list")
        for tag in tags:
            if not isinstance(tag, dict):
                raise validation("One or more parameter values were invalid: a tag needs a Key and a Value")
            key, value = tag.get("Key"), tag.get("Value")
            if not isinstance(key, str) or not isinstance(value, str):
                raise validation("One or more parameter values were invalid: a tag needs a Key and a Value")
            if not 1 <= len(key) <= 128 or len(value) > 256:
                raise validation("One or more parameter values were invalid: Tag keys are 1 to 128 characters "
                                 "and values at most 256")
            if not tag_text_ok(key) or not tag_text_ok(value):
                # DevGuide TaggingRestrictions: letters, digits, white space and + - = . _ : /
                raise validation("One or more parameter values were invalid: Tag keys and values may contain "
                                 "only letters, digits, white space and + - = . _ : /")
            if key.lower().startswith("aws:"):
                raise validation("One or more parameter values were invalid: The aws: prefix is reserved")
            merged[key] = value
        if len(merged) > 50:
            raise validation(f"One or more parameter values were invalid: Too many tags: {len(merged)} "
                             "(at most 50 per table)")
        return merged

    def op_ListTagsOfResource(self, request, account):
        state = self.tagged_state(request, account, request.payload.get("ResourceArn", ""))
        tags = state.visible_tags(self.clock.now())
        return Response.json({"Tags": [{"Key": key, "Value": value} for key, value in sorted(tags.items())]})

    def op_TagResource(self, request, account):
        state = self.tagged_state(request, account, request.payload.get("ResourceArn", ""))
        now = self.clock.now()
        state.require_settled(now)
        merged = self.validated_tags(state.latest_tags(), request.payload.get("Tags") or [])
        state.set_tags(now, merged, self.settings["tagLag"])
        return Response.json({})

    def op_UntagResource(self, request, account):
        state = self.tagged_state(request, account, request.payload.get("ResourceArn", ""))
        now = self.clock.now()
        state.require_settled(now)
        tags = state.latest_tags()
        for key in request.payload.get("TagKeys") or []:
            tags.pop(key, None)
        state.set_tags(now, tags, self.settings["tagLag"])
        return Response.json({})
