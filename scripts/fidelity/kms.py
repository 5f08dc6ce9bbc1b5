"""KMS through moto, with what DynamoDB needs of it: keys resolved to key ARNs, and when a key was disabled."""

from .errors import validation
from .service import Service


def kms_backends_():
    """moto's backends, imported on first use: the endpoint answers its port sooner (CI starts many at once)."""
    from moto.kms.models import kms_backends
    return kms_backends


class KMS(Service):
    TRACKED = ("DisableKey", "EnableKey", "ScheduleKeyDeletion", "CancelKeyDeletion")

    def __init__(self, endpoint):
        super().__init__(endpoint)
        self.clock = endpoint.clock
        self.disabled_at = {}  # key ARN -> when it stopped being usable

    def reset(self):
        self.disabled_at.clear()

    def handle(self, request, account):
        if request.operation in self.TRACKED and request.payload.get("KeyId"):
            # KMS takes a key ARN here; moto 5.2.1 only a bare key id.
            try:
                key_id = kms_backends_()[account][request.region].any_id_to_key_id(request.payload["KeyId"])
                request = request.derived(payload=dict(request.payload, KeyId=key_id))
            except Exception:
                pass
        response = self.endpoint.forward(request)
        if response.status == 200 and request.operation in self.TRACKED:
            key = request.payload.get("KeyId", "")
            try:
                arn = kms_backends_()[account][request.region].describe_key(key).arn
            except Exception:
                return response
            if request.operation in ("DisableKey", "ScheduleKeyDeletion"):
                self.disabled_at.setdefault(arn, self.clock.now())
            else:
                self.disabled_at.pop(arn, None)
        return response

    def key_arn(self, account, region, key_id):
        """The key ARN DynamoDB would record for a key id, key ARN, alias or alias ARN."""
        backend = kms_backends_()[account][region]
        try:
            key = backend.describe_key(key_id)
        except Exception:
            # DynamoDB refuses an unknown key before it creates or updates anything; its exact text is not
            # documented, so this follows its validation wording.
            raise validation(f"One or more parameter values were invalid: KMSMasterKeyId {key_id} does not exist "
                             f"in {region}")
        if key.key_state != "Enabled":
            raise validation(f"One or more parameter values were invalid: KMS key {key.arn} is {key.key_state}")
        return key.arn

    def inaccessible_since(self, account, region, sse, now):
        """When a table on this key became INACCESSIBLE_ENCRYPTION_CREDENTIALS, or None while it is usable."""
        if sse[0] != "KMS" or not sse[1]:
            return None
        backend = kms_backends_()[account][region]
        try:
            key = backend.describe_key(sse[1])
        except Exception:
            return None
        if key.key_state == "Enabled":
            self.disabled_at.pop(key.arn, None)
            return None
        since = self.disabled_at.setdefault(key.arn, now) + self.endpoint.settings["inaccessibleDelay"]
        return since if now >= since else None
