"""What the endpoint knows of a table beyond moto: its states over time, its key, class, TTL, tags and quotas."""
import time

from .clock import long_date, iso
from .errors import busy, limit

PPR = "PAY_PER_REQUEST"
DAY = 86400.0


def utc_day(epoch):
    return time.gmtime(int(epoch))[:3]


class TableState:
    def __init__(self, name, arn, created_at, settings, *, billing, sse, table_class, tags, ready_after=None):
        self.name = name
        self.arn = arn
        self.created_at = created_at
        self.settings = settings
        self.busy_kind = "CREATING"
        self.busy_until = created_at + (settings["createDelay"] if ready_after is None else ready_after)
        self.visible_at = created_at + settings["describeLag"]
        self.gsi_building = {}      # index -> (started, until)
        self.gsi_created_with_table = set()
        self.gsi_deleting = {}      # index -> (description, until)
        self.sse = sse              # ("owned", None) or ("KMS", key ARN)
        self.sse_transition = None  # (shown SSEDescription, until)
        self.sse_switches = []
        self.table_class = table_class
        self.class_updated = None
        self.class_switches = []
        self.ppr_switches = []
        self.last_ppr = created_at if billing == PPR else None
        self.decreases = {}         # None for the table, else index name -> [times]
        self.last_increase = {}
        self.ttl = {"enabled": False, "attribute": None, "changed": None, "until": 0.0}
        self.pitr_available_at = created_at + settings["pitrUnavailable"]
        self.tag_versions = [(created_at, dict(tags))]
        self.was_tagged = bool(tags)  # a version with tags has become visible (GetResources lists it then)
        self.on_demand = {}         # None for the table, else index name -> OnDemandThroughput
        self.replicas = {}          # region -> Replica (on the table the replicas were added to)
        self.home = None            # the region of that table, on a replica table

    # Status

    def status(self, now):
        return self.busy_kind if now < self.busy_until else "ACTIVE"

    def require_settled(self, now):
        """ResourceInUseException while the table is CREATING or UPDATING."""
        status = self.status(now)
        if status in ("CREATING", "UPDATING"):
            raise busy(self.name, "created" if status == "CREATING" else "updated")

    def mark_busy(self, now, seconds, kind="UPDATING"):
        if now >= self.busy_until:
            self.busy_kind = kind
        self.busy_until = max(self.busy_until, now + seconds)

    def indexes_in_flight(self, now):
        building = [name for name, (_, until) in self.gsi_building.items() if now < until]
        deleting = [name for name, (_, until) in self.gsi_deleting.items() if now < until]
        return building + deleting

    def changes_in_flight(self, now):
        """Tables and indexes CREATING, UPDATING or DELETING, as the 500 quota counts them."""
        return (1 if now < self.busy_until else 0) + len(self.indexes_in_flight(now))

    # Encryption

    def sse_description(self, now):
        if self.sse_transition and now < self.sse_transition[1]:
            return dict(self.sse_transition[0])
        if self.sse[0] == "owned":
            return None
        return {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": self.sse[1]}

    def check_sse_quota(self, now, target):
        """Four switches in each 24-hour window counted from creation, then one per six hours, at most
        sseMaxPerWindow; a switch to the AWS owned key is always allowed (DevGuide ServiceQuotas)."""
        if target[0] == "owned":
            return
        window = int((now - self.created_at) // DAY)
        start = self.created_at + window * DAY
        count = sum(1 for moment in self.sse_switches if moment >= start)
        last = max(self.sse_switches) if self.sse_switches else None
        first = self.settings["sseSwitchesPerWindow"]
        if count < first:
            return
        if count < self.settings["sseMaxPerWindow"] and last is not None and now - last >= 21600:
            return
        # Text observed from DynamoDB (crossplane provider-aws #1440), including its grammar.
        raise limit(
            f"Subscriber limit exceeded: Encryption mode changes are limited in the 24h window ending at "
            f"{iso(start + DAY)}. After the first {first} change, each subsequent change in the same window can be "
            f"performed at most once every 21600 seconds. Number of updates today: {count}")

    def switch_sse(self, now, target, delay):
        previous = self.sse
        if target[0] == "owned":
            shown = {"Status": "DISABLING", "SSEType": "KMS", "KMSMasterKeyArn": previous[1]}
        elif previous[0] == "owned":
            shown = {"Status": "ENABLING", "SSEType": "KMS"}
        else:
            # The previous key is still reported while the switch runs: only ENABLED shows the new one.
            shown = {"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": previous[1]}
        self.sse = target
        self.sse_transition = (shown, now + delay)
        self.sse_switches.append(now)

    # Throughput

    def check_decrease(self, now, index=None):
        times = self.decreases.get(index, [])
        today = [moment for moment in times if utc_day(moment) == utc_day(now)]
        first = self.settings["decreasesBeforeHourly"]
        if len(today) < first or now - max(today) >= 3600:
            return
        last = max(today)
        # The form DynamoDB answers with (reported by users since 2018); the numbers are this table's.
        raise limit(
            "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. "
            f"After the first {first} decreases, each subsequent decrease in the same UTC day can be performed at "
            f"most once every 3600 seconds. Number of decreases today: {len(today)}. Last decrease at "
            f"{long_date(last)}. Next decrease can be made at {long_date(last + 3600)}")

    def record_throughput(self, now, index, before, after):
        lower = any(after.get(unit, 0) < before.get(unit, 0) for unit in ("ReadCapacityUnits", "WriteCapacityUnits"))
        higher = any(after.get(unit, 0) > before.get(unit, 0) for unit in ("ReadCapacityUnits", "WriteCapacityUnits"))
        if lower:
            self.decreases.setdefault(index, []).append(now)
        if higher:
            self.last_increase[index] = now

    def throughput_summary(self, now, index=None):
        times = self.decreases.get(index, [])
        summary = {"NumberOfDecreasesToday": sum(1 for moment in times if utc_day(moment) == utc_day(now))}
        if times:
            summary["LastDecreaseDateTime"] = max(times)
        if index in self.last_increase:
            summary["LastIncreaseDateTime"] = self.last_increase[index]
        return summary

    # Billing and class

    def check_ppr_switch(self, now):
        allowed = self.settings["payPerRequestSwitchesPerDay"]
        recent = [moment for moment in self.ppr_switches if now - moment < DAY]
        if len(recent) < allowed:
            return
        times = "once" if allowed == 1 else f"{allowed} times"
        # The observed text says "once in 1 day(s)"; the current guide allows four switches a rolling day.
        raise limit(f"Subscriber limit exceeded: Update to PayPerRequest mode are limited to {times} in 1 day(s).")

    def check_class_switch(self, now):
        allowed = self.settings["tableClassSwitchesPer30Days"]
        recent = [moment for moment in self.class_switches if now - moment < 30 * DAY]
        if len(recent) >= allowed:
            # AWS's exact text is not known; the rule is from the DevGuide (WorkingWithTables.tableclasses).
            raise limit(f"Subscriber limit exceeded: No more than {allowed} table class updates are allowed "
                        f"in a 30-day trailing period. Next update can be made at {iso(min(recent) + 30 * DAY)}")

    # TTL

    def ttl_description(self, now):
        ttl = self.ttl
        if now < ttl["until"]:
            status = "ENABLING" if ttl["enabled"] else "DISABLING"
        else:
            status = "ENABLED" if ttl["enabled"] else "DISABLED"
        description = {"TimeToLiveStatus": status}
        if status != "DISABLED" and ttl["attribute"]:
            description["AttributeName"] = ttl["attribute"]
        return description

    # Tags

    def visible_tags(self, now):
        visible = {}
        for moment, tags in self.tag_versions:
            if moment <= now:
                visible = tags
        return visible

    def latest_tags(self):
        return dict(self.tag_versions[-1][1])

    def ever_tagged(self, now):
        return self.was_tagged or any(tags and moment <= now for moment, tags in self.tag_versions)

    def set_tags(self, now, tags, lag):
        self.tag_versions.append((now + lag, dict(tags)))
        # Keep what is visible now and what is still to come.
        while len(self.tag_versions) > 1 and self.tag_versions[1][0] <= now:
            self.was_tagged = self.was_tagged or bool(self.tag_versions[0][1])
            self.tag_versions.pop(0)
