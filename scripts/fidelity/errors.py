"""AWS error answers, shaped as each service sends them."""
import json

DYNAMODB = "com.amazonaws.dynamodb.v20120810#"
CORAL_VALIDATE = "com.amazon.coral.validate#"
CORAL_AVAILABILITY = "com.amazon.coral.availability#"


class AWSFault(Exception):
    """An error answer: HTTP status, __type and message (members spelled as the service spells them)."""

    def __init__(self, code, message, status=400, namespace=DYNAMODB, message_key="message"):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.namespace = namespace
        self.message_key = message_key

    def body(self):
        return json.dumps({"__type": self.namespace + self.code, self.message_key: self.message}).encode()


def validation(message):
    return AWSFault("ValidationException", message, namespace=CORAL_VALIDATE)


def in_use(message):
    return AWSFault("ResourceInUseException", message)


def busy(name, doing):
    """The answer to a change while the table is being created, updated or deleted."""
    return in_use(f"Attempt to change a resource which is still in use: Table is being {doing}: {name}")


def not_found(message="Requested resource not found"):
    return AWSFault("ResourceNotFoundException", message)


def limit(message):
    return AWSFault("LimitExceededException", message)


def throttled(operation):
    # DynamoDB's control-plane throttle answers "Rate exceeded" (bp-control-plane); the operation is not named.
    return AWSFault("ThrottlingException", "Rate exceeded", namespace=CORAL_AVAILABILITY)


def plain(code, message, key="Message"):
    """Errors of the JSON 1.1 services (tagging, auto scaling): bare __type, capitalised Message."""
    return AWSFault(code, message, namespace="", message_key=key)
