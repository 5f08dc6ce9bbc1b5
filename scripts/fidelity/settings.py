"""Timings, rates and quotas; each can be set at start (--config JSON) or later through the control API."""
import copy

# Seconds unless named otherwise. Realistic in kind, short in length: tests and the demo run them for real,
# and move the clock for the hour- and day-long windows.
DEFAULTS = {
    "createDelay": 2.0,            # CreateTable: CREATING -> ACTIVE
    "updateDelay": 1.0,            # UpdateTable (billing, throughput, stream, protection, on-demand): UPDATING
    "gsiCreateDelay": 3.0,         # a new GSI: CREATING (first half resource allocation, then Backfilling true)
    "gsiDeleteDelay": 1.0,         # a deleted GSI: DELETING
    "sseDelay": 2.0,               # an encryption switch: UPDATING/ENABLING/DISABLING
    "tableClassDelay": 2.0,        # a table class switch: UPDATING
    "ttlDelay": 1.0,               # TTL: ENABLING/DISABLING
    "describeLag": 0.5,            # DescribeTable answers ResourceNotFound this long after CreateTable
    "tagLag": 1.0,                 # ListTagsOfResource/GetResources show a TagResource/UntagResource after this
    "pitrUnavailable": 2.0,        # UpdateContinuousBackups answers ContinuousBackupsUnavailableException
    "inaccessibleDelay": 2.0,      # a disabled customer key makes its tables INACCESSIBLE after this
    "replicaCreateDelay": 3.0,     # a new replica: CREATING
    "replicaUpdateDelay": 2.0,     # a replica key or class change: UPDATING
    "deleteDelay": 1.0,            # DeleteTable: DELETING, and the name stays taken
    "maxConcurrentChanges": 500,   # tables and indexes CREATING/UPDATING/DELETING per account and region
    "maxTablesPerRegion": 2500,
    "maxGsisPerTable": 20,
    "payPerRequestSwitchesPerDay": 4,  # current docs: 4 in a rolling 24 h (the 2023 guide said once a day)
    "ttlInterval": 3600.0,         # one TTL change per table per hour
    "decreasesBeforeHourly": 4,    # throughput decreases per UTC day before one an hour
    "sseSwitchesPerWindow": 4,     # encryption switches per 24 h window from creation before one per 6 h
    "sseMaxPerWindow": 8,
    "tableClassSwitchesPer30Days": 2,
    "pageSize": 100,               # ListTables
    # Requests per second per account and region (token buckets, one second of burst). controlPlane is every
    # DynamoDB control-plane call together. A value of 0 or null turns that limit off.
    "rates": {
        "ListTagsOfResource": 10,
        "DescribeContinuousBackups": 10,
        "TagResource": 5,
        "UntagResource": 5,
        "controlPlane": 2500,
    },
}


_operations = None


def known_operations():
    """Every operation of the services the endpoint serves, from botocore's models (installed with boto3)."""
    global _operations
    if _operations is None:
        import botocore.session
        session = botocore.session.get_session()
        _operations = set()
        for service in ("dynamodb", "kms", "resourcegroupstaggingapi", "application-autoscaling"):
            _operations |= set(session.get_service_model(service).operation_names)
    return _operations


class Settings:
    """The endpoint's settings: the defaults, merged with what the caller sets."""

    def __init__(self, overrides=None):
        self.values = copy.deepcopy(DEFAULTS)
        if overrides:
            self.merge(overrides)
        self.initial = copy.deepcopy(self.values)

    def restore(self):
        """Back to the settings the endpoint was started with."""
        self.values = copy.deepcopy(self.initial)

    def merge(self, overrides):
        """Sets the named values, all or none; unknown names and values that are not numbers >= 0 are an
        error, so a typo never passes silently."""
        if not isinstance(overrides, dict):
            raise ValueError("settings are a JSON object")
        merged = copy.deepcopy(self.values)
        for name, value in overrides.items():
            if name not in DEFAULTS:
                raise ValueError(f"unknown setting {name!r}; known: {', '.join(sorted(DEFAULTS))}")
            if name == "rates":
                if not isinstance(value, dict):
                    raise ValueError("rates is an object of operation names and requests per second")
                for operation, rate in value.items():
                    if operation != "controlPlane" and operation not in known_operations():
                        raise ValueError(f"rates: {operation!r} is not an operation of the services served")
                    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float))
                                             or rate < 0):
                        raise ValueError(f"rates.{operation} must be a number >= 0 or null")
                merged["rates"].update(value)
            else:
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise ValueError(f"{name} must be a number >= 0")
                merged[name] = value
        self.values = merged

    def __getitem__(self, name):
        return self.values[name]
