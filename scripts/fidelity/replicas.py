"""Global-table replicas (version 2019.11.21), which moto does not have: UpdateTable ReplicaUpdates, Replicas in
DescribeTable, and the replica table itself in its own region."""
import re

from .errors import validation
from .tablestate import PPR, TableState


def autoscaling_backends_():
    """moto's backends, imported on first use: the endpoint answers its port sooner (CI starts many at once)."""
    from moto.applicationautoscaling.models import applicationautoscaling_backends
    return applicationautoscaling_backends


REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
LOCAL_REGION = ("Cannot add, delete, or update the local region through ReplicaUpdates. Use CreateTable, "
                "DeleteTable, or UpdateTable as required.")


class Replica:
    def __init__(self, region, key, table_class, now, until):
        self.region = region
        self.key = key                  # key ARN, None for the AWS owned or managed key
        self.table_class = table_class
        self.status_kind = "CREATING"
        self.until = until
        self.created_at = now

    def status(self, now):
        return self.status_kind if now < self.until else "ACTIVE"


class Replicas:
    def __init__(self, dynamodb):
        self.dynamodb = dynamodb
        self.settings = dynamodb.settings

    def write_autoscaled(self, account, region, name):
        backend = autoscaling_backends_()[account][region]
        dimension = "dynamodb:table:WriteCapacityUnits"
        return f"table/{name}" in backend.targets.get(dimension, {})

    def check(self, request, account, table, state, now, effects):
        """Checks one replica change against DynamoDB's rules; returns how long the table is UPDATING."""
        updates = request.payload["ReplicaUpdates"]
        if len(updates) != 1:
            # One replica change per call for multi-Region eventual consistency (CloudFormation, Terraform).
            raise validation("One or more parameter values were invalid: only one replica can be created, "
                             "updated or deleted per request")
        if state.home:
            raise validation(f"Replicas are added through the table in {state.home}")
        update = updates[0]
        if not isinstance(update, dict) or len(update) != 1 or not isinstance(next(iter(update.values())), dict):
            raise validation("One or more parameter values were invalid: a replica update names one of Create, "
                             "Update or Delete")
        action, spec = next(iter(update.items()))
        region = spec.get("RegionName", "")
        if region == request.region:
            raise validation(LOCAL_REGION)
        if not isinstance(region, str) or not REGION.match(region):
            raise validation(f"One or more parameter values were invalid: {region!r} is not a region")
        if action == "Create":
            return self.check_create(request, account, table, state, now, effects, region, spec)
        replica = state.replicas.get(region)
        if replica is None:
            raise validation("Replica specified in the Replica Update or Replica Delete action of the request "
                             "was not found.")
        if action == "Update":
            return self.check_update(request, account, state, now, effects, replica, spec)
        if action == "Delete":
            effects.append(lambda: self.delete(request, account, state, region))
            return self.settings["updateDelay"]
        raise validation(f"Unknown replica action {action}")

    def check_create(self, request, account, table, state, now, effects, region, spec):
        name = state.name
        if region in state.replicas or self.dynamodb.moto_table(account, region, name) is not None:
            raise validation("Failed to create a the new replica of table because one or more replicas already "
                             "existed as tables.")
        if (table.billing_mode or "PROVISIONED") != PPR and not self.write_autoscaled(account, request.region, name):
            raise validation("Table write capacity should either be Pay-Per-Request or AutoScaled.")
        key = None
        if state.sse[0] == "KMS":
            managed = self.dynamodb.endpoint.kms.key_arn(account, request.region, "alias/aws/dynamodb")
            if state.sse[1] != managed:
                if not spec.get("KMSMasterKeyId"):
                    raise validation("One or more parameter values were invalid: KMSMasterKeyId must be specified "
                                     "for each replica.")
                key = self.dynamodb.endpoint.kms.key_arn(account, region, spec["KMSMasterKeyId"])
        table_class = spec.get("TableClassOverride", state.table_class)
        until = now + self.settings["replicaCreateDelay"]
        description = table.describe(base_key="Table")["Table"]

        def create():
            # The replica table first: if moto refuses it, nothing of the replica is left behind.
            self.create_replica_table(request, account, region, description, state, key, table_class, now, until)
            state.replicas[region] = Replica(region, key, table_class, now, until)
            if not (table.stream_specification or {}).get("StreamEnabled"):
                table.set_stream_specification({"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        effects.append(create)
        return self.settings["replicaCreateDelay"]

    def create_replica_table(self, request, account, region, description, state, key, table_class, now, until):
        payload = {
            "TableName": state.name,
            "KeySchema": description["KeySchema"],
            "AttributeDefinitions": description["AttributeDefinitions"],
            "BillingMode": description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"),
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        }
        if payload["BillingMode"] != PPR:
            throughput = description["ProvisionedThroughput"]
            payload["ProvisionedThroughput"] = {unit: throughput[unit]
                                                for unit in ("ReadCapacityUnits", "WriteCapacityUnits")}
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            indexes = []
            for index in description.get(kind) or []:
                copy = {member: index[member] for member in ("IndexName", "KeySchema", "Projection")}
                if kind == "GlobalSecondaryIndexes" and payload["BillingMode"] != PPR:
                    copy["ProvisionedThroughput"] = {unit: index["ProvisionedThroughput"][unit]
                                                     for unit in ("ReadCapacityUnits", "WriteCapacityUnits")}
                indexes.append(copy)
            if indexes:
                payload[kind] = indexes
        response = self.dynamodb.forward(request, "CreateTable", payload, region)
        if response.status != 200:
            raise RuntimeError(f"moto refused the replica table: {response.body[:300]!r}")
        table = self.dynamodb.moto_table(account, region, state.name)
        if state.sse[0] == "owned":
            sse = ("owned", None)
        elif key is None:
            sse = ("KMS", self.dynamodb.endpoint.kms.key_arn(account, region, "alias/aws/dynamodb"))
        else:
            sse = ("KMS", key)
        replica_state = TableState(state.name, table.table_arn, now, self.settings, billing=payload["BillingMode"],
                                   sse=sse, table_class=table_class, tags={},
                                   ready_after=until - now)
        replica_state.visible_at = now
        replica_state.home = request.region
        self.dynamodb.states[(account, region, state.name)] = replica_state

    def check_update(self, request, account, state, now, effects, replica, spec):
        if replica.status(now) != "ACTIVE":
            raise validation(f"Replica in region {replica.region} is {replica.status(now)}; retry when it is ACTIVE")
        replica_state = self.dynamodb.states.get((account, replica.region, state.name))
        changed = False
        if "KMSMasterKeyId" in spec:
            key = self.dynamodb.endpoint.kms.key_arn(account, replica.region, spec["KMSMasterKeyId"])
            if key != replica.key:
                if replica_state:
                    replica_state.check_sse_quota(now, ("KMS", key))
                changed = True

                def rekey():
                    replica.key = key
                    if replica_state:
                        replica_state.switch_sse(now, ("KMS", key), self.settings["replicaUpdateDelay"])
                effects.append(rekey)
        elif state.sse[0] == "KMS" and state.sse[1] != self.dynamodb.endpoint.kms.key_arn(
                account, request.region, "alias/aws/dynamodb"):
            raise validation("One or more parameter values were invalid: KMSMasterKeyId must be specified for each "
                             "replica.")
        if "TableClassOverride" in spec and spec["TableClassOverride"] != replica.table_class:
            if replica_state:
                replica_state.check_class_switch(now)
            changed = True

            def reclass():
                replica.table_class = spec["TableClassOverride"]
                if replica_state:
                    replica_state.table_class = replica.table_class
                    replica_state.class_updated = now
                    replica_state.class_switches.append(now)
            effects.append(reclass)
        if not changed:
            raise validation("One or more parameter values were invalid: the replica update changes nothing")
        until = now + self.settings["replicaUpdateDelay"]

        def busy():
            replica.status_kind = "UPDATING"
            replica.until = until
            if replica_state:
                replica_state.mark_busy(now, self.settings["replicaUpdateDelay"])
        effects.append(busy)
        return self.settings["replicaUpdateDelay"]

    def delete(self, request, account, state, region):
        state.replicas.pop(region, None)
        self.dynamodb.forward(request, "DeleteTable", {"TableName": state.name}, region)
        self.dynamodb.states.pop((account, region, state.name), None)

    def decorate(self, description, account, region, state, now):
        """Replicas and GlobalTableVersion, on the table and on each replica table."""
        if state.home:
            home = self.dynamodb.states.get((account, state.home, state.name))
            if home is None:
                return
            members = [(state.home, None)] + [(replica.region, replica) for replica in home.replicas.values()]
        elif state.replicas:
            home = state
            members = [(replica.region, replica) for replica in state.replicas.values()]
        else:
            return
        listed = []
        for member_region, replica in members:
            if member_region == region:
                continue
            if replica is None:
                entry = {"RegionName": member_region, "ReplicaStatus": home.status(now),
                         "ReplicaTableClassSummary": {"TableClass": home.table_class}}
                if home.sse[0] == "KMS":
                    entry["KMSMasterKeyId"] = home.sse[1]
            else:
                entry = {"RegionName": member_region, "ReplicaStatus": replica.status(now),
                         "ReplicaTableClassSummary": {"TableClass": replica.table_class}}
                if replica.key:
                    entry["KMSMasterKeyId"] = replica.key
            listed.append(entry)
        description["Replicas"] = listed
        description["GlobalTableVersion"] = "2019.11.21"
