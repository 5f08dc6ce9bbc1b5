"""DynamoDB's control plane as DynamoDB runs it, on top of moto's tables."""
import re

from . import errors
from .errors import AWSFault, in_use, limit, not_found, validation
from .replicas import Replicas
from .tablesettings import TableSettings
from .tablestate import PPR, TableState
from .wire import Response


def dynamodb_backends_():
    """moto's backends, imported on first use: the endpoint answers its port sooner (CI starts many at once)."""
    from moto.dynamodb.models import dynamodb_backends
    return dynamodb_backends


DATA_PLANE = {
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
    "TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction",
}
NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
UPDATE_MEMBERS = ("AttributeDefinitions", "BillingMode", "ProvisionedThroughput", "GlobalSecondaryIndexUpdates",
                  "StreamSpecification", "SSESpecification", "ReplicaUpdates", "TableClass",
                  "DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput")
MOTO_UPDATE_MEMBERS = ("TableName", "AttributeDefinitions", "GlobalSecondaryIndexUpdates", "ProvisionedThroughput",
                       "BillingMode", "StreamSpecification", "DeletionProtectionEnabled", "WarmThroughput")
CHANGE_REQUIRED = ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates "
                   "or SSESpecification or ReplicaUpdates is required")


class DynamoDB:
    content_type = "application/x-amz-json-1.0"

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.settings = endpoint.settings
        self.clock = endpoint.clock
        self.states = {}  # (account, region, name) -> TableState
        self.deleting = {}  # (account, region, name) -> (last description, until)
        self.table_settings = TableSettings(self)
        self.replicas = Replicas(self)

    def reset(self):
        self.states.clear()
        self.deleting.clear()

    def being_deleted(self, account, region, name, now):
        """The last description of a table DynamoDB is still deleting, or None."""
        ghost = self.deleting.get((account, region, name))
        if ghost and now >= ghost[1]:
            del self.deleting[(account, region, name)]
            return None
        return ghost[0] if ghost else None

    # Plumbing

    def table_of(self, request):
        payload = request.payload
        if "TableName" in payload:
            return payload["TableName"]
        arn = payload.get("ResourceArn", "")
        if not isinstance(arn, str) or ":table/" not in arn:
            return None
        return arn.split(":table/", 1)[1].split("/")[0] or None

    def rate_names(self, operation):
        return [operation] + ([] if operation in DATA_PLANE else ["controlPlane"])

    def throttle_fault(self, operation):
        return errors.throttled(operation)

    def moto_table(self, account, region, name):
        return dynamodb_backends_()[account][region].tables.get(name)

    def forward(self, request, operation=None, payload=None, region=None):
        return self.endpoint.forward(request.derived(operation, payload, region))

    def state(self, account, region, name, table=None):
        """The table's state; a table this endpoint did not create (none should exist) is taken as settled."""
        key = (account, region, name)
        if key not in self.states:
            table = table or self.moto_table(account, region, name)
            created = self.clock.now() - 86400 * 30
            self.states[key] = TableState(
                name, table.table_arn, created, self.settings, billing=table.billing_mode,
                sse=("owned", None), table_class="STANDARD", tags={}, ready_after=0)
            self.states[key].visible_at = created
        return self.states[key]

    def existing(self, account, region, name, table_not_found=False):
        """The moto table and its state, or the documented not-found answer."""
        table = self.moto_table(account, region, name or "")
        state = self.states.get((account, region, name))
        now = self.clock.now()
        if table is None and self.being_deleted(account, region, name, now) is not None:
            raise errors.busy(name, "deleted")
        if table is None or (state and now < state.visible_at):
            if table_not_found:
                raise AWSFault("TableNotFoundException", f"Table not found: {name}")
            raise not_found(f"Requested resource not found: Table: {name} not found")
        return table, self.state(account, region, name, table)

    def in_flight(self, account, region, now):
        deleting = sum(1 for (acct, reg, name), (_, until) in list(self.deleting.items())
                       if (acct, reg) == (account, region) and now < until)
        return deleting + sum(state.changes_in_flight(now) for (acct, reg, _), state in self.states.items()
                              if (acct, reg) == (account, region))

    def check_concurrency(self, account, region, now):
        allowed = self.settings["maxConcurrentChanges"]
        if self.in_flight(account, region, now) >= allowed:
            raise limit(f"Subscriber limit exceeded: Only {allowed} tables can be created, updated, or deleted "
                        f"simultaneously")

    def handle(self, request, account):
        handler = getattr(self, "op_" + request.operation, None) or getattr(
            self.table_settings, "op_" + request.operation, None)
        if handler is None:
            return self.endpoint.forward(request)
        return handler(request, account)

    # Encryption

    def resolve_sse(self, account, region, spec):
        """("owned", None) or ("KMS", key ARN) for an SSESpecification, the key resolved as DynamoDB does."""
        if not spec or not spec.get("Enabled"):
            # Without Enabled true the table keeps the AWS owned key (moto does the same; reference 4.12).
            return ("owned", None)
        if spec.get("SSEType") not in (None, "KMS"):
            raise validation("One or more parameter values were invalid: SSEType must be KMS")
        key = spec.get("KMSMasterKeyId") or "alias/aws/dynamodb"
        return ("KMS", self.endpoint.kms.key_arn(account, region, key))

    # Operations

    def op_CreateTable(self, request, account):
        payload = request.payload
        region = request.region
        name = payload.get("TableName", "")
        if not NAME.match(name):
            raise validation(f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy "
                             "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and "
                             "have length between 3 and 255")
        now = self.clock.now()
        if self.moto_table(account, region, name) is not None:
            raise in_use(f"Table already exists: {name}")
        if self.being_deleted(account, region, name, now) is not None:
            raise errors.busy(name, "deleted")
        if len(dynamodb_backends_()[account][region].tables) >= self.settings["maxTablesPerRegion"]:
            raise limit(f"Subscriber limit exceeded: Table count limit of {self.settings['maxTablesPerRegion']} "
                        "exceeded for this account and region")
        self.check_concurrency(account, region, now)
        billing = payload.get("BillingMode", "PROVISIONED")
        indexes = payload.get("GlobalSecondaryIndexes", [])
        if len(indexes) > self.settings["maxGsisPerTable"]:
            raise limit(f"Subscriber limit exceeded: Number of Global Secondary Indexes exceeds the per-table "
                        f"limit of {self.settings['maxGsisPerTable']}")
        if billing == PPR:
            if "ProvisionedThroughput" in payload or any("ProvisionedThroughput" in gsi for gsi in indexes):
                raise validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                                 "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
        else:
            if "ProvisionedThroughput" not in payload:
                raise validation("One or more parameter values were invalid: ReadCapacityUnits and "
                                 "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
            for gsi in indexes:
                if "ProvisionedThroughput" not in gsi:
                    raise validation("One or more parameter values were invalid: ProvisionedThroughput must be "
                                     f"specified for index: {gsi.get('IndexName')}")
        tags = self.table_settings.validated_tags({}, payload.get("Tags", []))
        table_class = payload.get("TableClass", "STANDARD")
        if table_class not in ("STANDARD", "STANDARD_INFREQUENT_ACCESS"):
            raise validation(f"1 validation error detected: Value '{table_class}' at 'tableClass' failed to "
                             "satisfy constraint: Member must satisfy enum value set: [STANDARD_INFREQUENT_ACCESS, "
                             "STANDARD]")
        sse = self.resolve_sse(account, region, payload.get("SSESpecification"))
        forwarded = {key: value for key, value in payload.items()
                     if key not in ("TableClass", "OnDemandThroughput", "SSESpecification")}
        response = self.forward(request, payload=forwarded)
        if response.status != 200:
            return response
        table = self.moto_table(account, region, name)
        state = TableState(name, table.table_arn, now, self.settings, billing=billing, sse=sse,
                           table_class=table_class, tags=tags)
        if "OnDemandThroughput" in payload:
            state.on_demand[None] = payload["OnDemandThroughput"]
        for index in indexes:
            # Indexes made with the table are CREATING with it (without Backfilling).
            state.gsi_building[index["IndexName"]] = (now, state.busy_until)
            state.gsi_created_with_table.add(index["IndexName"])
        self.states[(account, region, name)] = state
        # CreateTable always answers CREATING, however slowly this endpoint got to answering.
        return self.described(request, account, region, name, "TableDescription", status="CREATING")

    def op_DescribeTable(self, request, account):
        name = request.payload.get("TableName")
        ghost = self.being_deleted(account, request.region, name, self.clock.now())
        if ghost is not None and self.moto_table(account, request.region, name) is None:
            return Response.json({"Table": dict(ghost, TableStatus="DELETING")})
        self.existing(account, request.region, name)
        return self.described(request, account, request.region, name, "Table")

    def described(self, request, account, region, name, key, status=None):
        """moto's description of the table with what moto does not know laid over it."""
        response = self.forward(request, "DescribeTable", {"TableName": name}, region)
        if response.status != 200:
            return response
        description = response.decoded()["Table"]
        self.decorate(description, account, region, name)
        if status:
            description["TableStatus"] = status
        return Response.json({key: description})

    def decorate(self, description, account, region, name):
        now = self.clock.now()
        state = self.state(account, region, name)
        table = self.moto_table(account, region, name)
        inaccessible = self.endpoint.kms.inaccessible_since(account, region, state.sse, now)
        description["TableStatus"] = "INACCESSIBLE_ENCRYPTION_CREDENTIALS" if inaccessible else state.status(now)
        sse = state.sse_description(now)
        if sse and inaccessible:
            sse["InaccessibleEncryptionDateTime"] = inaccessible
        description.pop("SSEDescription", None)
        if sse:
            description["SSEDescription"] = sse
        billing = table.billing_mode or "PROVISIONED"
        summary = {"BillingMode": billing}
        if state.last_ppr is not None:
            summary["LastUpdateToPayPerRequestDateTime"] = state.last_ppr
        description["BillingModeSummary"] = summary
        throughput = description.setdefault("ProvisionedThroughput", {})
        if billing == PPR:
            throughput.update({"ReadCapacityUnits": 0, "WriteCapacityUnits": 0})
        throughput.update(state.throughput_summary(now))
        class_summary = {"TableClass": state.table_class}
        if state.class_updated:
            class_summary["LastUpdateDateTime"] = state.class_updated
        description["TableClassSummary"] = class_summary
        if None in state.on_demand:
            description["OnDemandThroughput"] = state.on_demand[None]
        indexes = []
        for index in description.get("GlobalSecondaryIndexes", []):
            index_name = index["IndexName"]
            if index_name in state.gsi_building:
                started, until = state.gsi_building[index_name]
                index["IndexStatus"] = "CREATING" if now < until else "ACTIVE"
                if index_name in state.gsi_created_with_table:
                    index.pop("Backfilling", None)
                else:
                    index["Backfilling"] = started + (until - started) / 2 <= now < until
            else:
                index["IndexStatus"] = "ACTIVE"
            gsi_throughput = index.setdefault("ProvisionedThroughput", {})
            if billing == PPR:
                gsi_throughput.update({"ReadCapacityUnits": 0, "WriteCapacityUnits": 0})
            gsi_throughput.update(state.throughput_summary(now, index_name))
            if index_name in state.on_demand:
                index["OnDemandThroughput"] = state.on_demand[index_name]
            indexes.append(index)
        for index_name, (ghost, until) in state.gsi_deleting.items():
            if now < until:
                indexes.append(dict(ghost, IndexStatus="DELETING"))
        description.pop("GlobalSecondaryIndexes", None)
        if indexes:
            description["GlobalSecondaryIndexes"] = indexes
        if not description.get("LocalSecondaryIndexes"):
            description.pop("LocalSecondaryIndexes", None)  # DynamoDB omits an empty list; moto sends []
        if not (table.stream_specification or {}).get("StreamEnabled"):
            description.pop("StreamSpecification", None)
            if table.latest_stream_label is None:
                description.pop("LatestStreamArn", None)
                description.pop("LatestStreamLabel", None)
        self.replicas.decorate(description, account, region, state, now)

    def op_UpdateTable(self, request, account):
        payload = request.payload
        region = request.region
        name = payload.get("TableName")
        table, state = self.existing(account, region, name)
        now = self.clock.now()
        if not any(member in payload for member in UPDATE_MEMBERS if member != "AttributeDefinitions"):
            raise validation(CHANGE_REQUIRED)
        state.require_settled(now)
        self.check_concurrency(account, region, now)
        effects = []  # run only once every rule has passed and moto took its part
        delay = self.settings["updateDelay"]
        delay = max(delay, self.check_indexes(payload, table, state, now, effects))
        self.check_billing(payload, table, state, now, effects)
        self.check_stream(payload, table, state, effects)
        if "SSESpecification" in payload:
            target = self.resolve_sse(account, region, payload["SSESpecification"])
            if target == state.sse:
                # AWS's text for a switch to the key already in use is not documented; this is the closest.
                raise validation("Table is already encrypted by given KMSMasterKeyId")
            state.check_sse_quota(now, target)
            effects.append(lambda: state.switch_sse(now, target, self.settings["sseDelay"]))
            delay = max(delay, self.settings["sseDelay"])
        if payload.get("TableClass", "STANDARD") not in ("STANDARD", "STANDARD_INFREQUENT_ACCESS"):
            raise validation(f"1 validation error detected: Value '{payload['TableClass']}' at 'tableClass' failed "
                             "to satisfy constraint: Member must satisfy enum value set: [STANDARD_INFREQUENT_ACCESS, "
                             "STANDARD]")
        if "TableClass" in payload and payload["TableClass"] != state.table_class:
            state.check_class_switch(now)
            new_class = payload["TableClass"]

            def switch_class():
                state.table_class = new_class
                state.class_updated = now
                state.class_switches.append(now)
            effects.append(switch_class)
            delay = max(delay, self.settings["tableClassDelay"])
        if "OnDemandThroughput" in payload:
            effects.append(lambda: state.on_demand.__setitem__(None, payload["OnDemandThroughput"]))
        if "WarmThroughput" in payload:
            current = table.warm_throughput or {}
            for unit in ("ReadUnitsPerSecond", "WriteUnitsPerSecond"):
                if payload["WarmThroughput"].get(unit, current.get(unit, 0)) < current.get(unit, 0):
                    # DynamoDB cannot lower warm throughput (warm-throughput.html); its exact text is not known.
                    raise validation(f"One or more parameter values were invalid: {unit} for WarmThroughput "
                                     f"cannot be decreased (current value {current.get(unit)})")
        if "ReplicaUpdates" in payload:
            delay = max(delay, self.replicas.check(request, account, table, state, now, effects))
        forwarded = {key: payload[key] for key in MOTO_UPDATE_MEMBERS if key in payload}
        if "AttributeDefinitions" in forwarded:
            # moto replaces the whole list; DynamoDB adds the new definitions to the table's own.
            known = {item["AttributeName"]: item for item in table.attr}
            known.update({item["AttributeName"]: item for item in forwarded["AttributeDefinitions"]})
            forwarded["AttributeDefinitions"] = list(known.values())
        if len(forwarded) > 1:
            response = self.forward(request, payload=forwarded)
            if response.status != 200:
                return response
        for effect in effects:
            effect()
        state.mark_busy(now, delay)
        return self.described(request, account, region, name, "TableDescription", status="UPDATING")

    def check_indexes(self, payload, table, state, now, effects):
        updates = payload.get("GlobalSecondaryIndexUpdates", [])
        creates = [update["Create"] for update in updates if "Create" in update]
        deletes = [update["Delete"] for update in updates if "Delete" in update]
        existing = {index.name: index for index in table.global_indexes}
        if creates or deletes:
            if len(creates) + len(deletes) > 1 or state.indexes_in_flight(now):
                # Observed text (DevGuide GSI.OnlineOps, user reports).
                raise limit("Subscriber limit exceeded: Only 1 online index can be created or deleted "
                            "simultaneously per table")
        for create in creates:
            if create.get("IndexName") in existing:
                raise validation(f"One or more parameter values were invalid: Index {create.get('IndexName')} "
                                 "already exists")
            if len(existing) >= self.settings["maxGsisPerTable"]:
                raise limit(f"Subscriber limit exceeded: Number of Global Secondary Indexes exceeds the "
                            f"per-table limit of {self.settings['maxGsisPerTable']}")
            billing = payload.get("BillingMode", table.billing_mode or "PROVISIONED")
            if billing != PPR and "ProvisionedThroughput" not in create:
                raise validation("One or more parameter values were invalid: ProvisionedThroughput must be "
                                 f"specified for index: {create.get('IndexName')}")
            until = now + self.settings["gsiCreateDelay"]
            effects.append(lambda index=create["IndexName"]: state.gsi_building.__setitem__(index, (now, until)))
        for delete in deletes:
            index_name = delete.get("IndexName")
            if index_name not in existing:
                raise not_found(f"Requested resource not found: Table: {state.name}, index: {index_name} not found")
            ghost = dict(existing[index_name].describe())
            until = now + self.settings["gsiDeleteDelay"]
            effects.append(lambda index=index_name, ghost=ghost: (
                state.gsi_deleting.__setitem__(index, (ghost, until)), state.gsi_building.pop(index, None)))
        for update in updates:
            if "Update" not in update:
                continue
            change = update["Update"]
            index = existing.get(change.get("IndexName"))
            if index is None:
                raise not_found(f"Requested resource not found: Table: {state.name}, index: "
                                f"{change.get('IndexName')} not found")
            if "ProvisionedThroughput" in change and payload.get("BillingMode", table.billing_mode) == PPR:
                raise validation("One or more parameter values were invalid: ProvisionedThroughput cannot be "
                                 "specified for an index when BillingMode is PAY_PER_REQUEST")
            if "ProvisionedThroughput" in change and (table.billing_mode or "PROVISIONED") != PPR:
                before = dict(index.throughput or {})
                after = change["ProvisionedThroughput"]
                if all(after.get(unit) == before.get(unit) for unit in ("ReadCapacityUnits", "WriteCapacityUnits")):
                    # DynamoDB's own text (reported in many client projects).
                    raise validation(
                        f"The provisioned throughput for the index {index.name} will not change. The requested value "
                        "equals the current value. Current ReadCapacityUnits provisioned for the index: "
                        f"{before.get('ReadCapacityUnits')}. Requested ReadCapacityUnits: "
                        f"{after.get('ReadCapacityUnits')}. Current WriteCapacityUnits provisioned for the index: "
                        f"{before.get('WriteCapacityUnits')}. Requested WriteCapacityUnits: "
                        f"{after.get('WriteCapacityUnits')}. Refusing to update.")
                if any(after.get(unit, 0) < before.get(unit, 0) for unit in ("ReadCapacityUnits", "WriteCapacityUnits")):
                    state.check_decrease(now, index.name)
                effects.append(lambda name=index.name, before=before, after=after:
                               state.record_throughput(now, name, before, after))
            if "OnDemandThroughput" in change:
                effects.append(lambda name=index.name, value=change["OnDemandThroughput"]:
                               state.on_demand.__setitem__(name, value))
        # The table is UPDATING only briefly; the index stays CREATING (backfilling) much longer.
        return 0

    def check_billing(self, payload, table, state, now, effects):
        current = table.billing_mode or "PROVISIONED"
        wanted = payload.get("BillingMode", current)
        if wanted == PPR:
            if "ProvisionedThroughput" in payload:
                raise validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                                 "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
            if current != PPR:
                state.check_ppr_switch(now)

                def switched():
                    state.ppr_switches.append(now)
                    state.last_ppr = now
                effects.append(switched)
            return
        if current == PPR:
            if "ProvisionedThroughput" not in payload:
                raise validation("One or more parameter values were invalid: ProvisionedThroughput must be "
                                 "specified when BillingMode is PROVISIONED")
            given = {update["Update"]["IndexName"] for update in payload.get("GlobalSecondaryIndexUpdates", [])
                     if "ProvisionedThroughput" in update.get("Update", {})}
            for index in table.global_indexes:
                if index.name not in given:
                    raise validation("One or more parameter values were invalid: ProvisionedThroughput must be "
                                     f"specified for index: {index.name}")
            return
        if "ProvisionedThroughput" in payload:
            before = dict(table.throughput or {})
            after = payload["ProvisionedThroughput"]
            if all(after.get(unit) == before.get(unit) for unit in ("ReadCapacityUnits", "WriteCapacityUnits")):
                # DynamoDB's own text (reported in many client projects).
                raise validation(
                    "The provisioned throughput for the table will not change. The requested value equals the current "
                    f"value. Current ReadCapacityUnits provisioned for the table: {before.get('ReadCapacityUnits')}. "
                    f"Requested ReadCapacityUnits: {after.get('ReadCapacityUnits')}. Current WriteCapacityUnits "
                    f"provisioned for the table: {before.get('WriteCapacityUnits')}. Requested WriteCapacityUnits: "
                    f"{after.get('WriteCapacityUnits')}. Refusing to update.")
            if any(after.get(unit, 0) < before.get(unit, 0) for unit in ("ReadCapacityUnits", "WriteCapacityUnits")):
                state.check_decrease(now)
            effects.append(lambda: state.record_throughput(now, None, before, after))

    def check_stream(self, payload, table, state, effects):
        spec = payload.get("StreamSpecification")
        if spec is None:
            return
        enabled_now = bool((table.stream_specification or {}).get("StreamEnabled"))
        if spec.get("StreamEnabled"):
            if enabled_now:
                # DevGuide (Streams): enabling a stream on a table that has one answers ResourceInUseException;
                # a new StreamViewType needs the stream disabled first.
                raise in_use(f"Table already has an enabled stream: TableName: {state.name}")
            if spec.get("StreamViewType") not in ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"):
                raise validation("One or more parameter values were invalid: StreamViewType is required when "
                                 "StreamEnabled is true")
            table.latest_stream_label = None  # moto keeps the old label and then refuses a re-enable
        else:
            if not enabled_now:
                # AWS answers ValidationException here (reference 7.5); the exact text is not documented.
                raise validation(f"Table {state.name} does not have a stream enabled")
            if state.replicas or state.home:
                raise validation("Cannot disable the stream of a global table: it replicates the table")

            # DynamoDB keeps reporting the disabled stream's ARN (it stays readable for 24 hours).

    def op_DeleteTable(self, request, account):
        name = request.payload.get("TableName")
        table, state = self.existing(account, request.region, name)
        now = self.clock.now()
        state.require_settled(now)
        if state.replicas:
            raise validation(f"Table {name} has replicas; delete them before the table")
        self.check_concurrency(account, request.region, now)
        response = self.described(request, account, request.region, name, "TableDescription", status="DELETING")
        deleted = self.forward(request)
        if deleted.status != 200:
            return deleted
        self.states.pop((account, request.region, name), None)
        # DELETING for a while: DescribeTable still answers, and the name is not free yet.
        self.deleting[(account, request.region, name)] = (response.decoded()["TableDescription"],
                                                         now + self.settings["deleteDelay"])
        if state.home:
            home = self.states.get((account, state.home, name))
            if home:
                home.replicas.pop(request.region, None)
        return response
