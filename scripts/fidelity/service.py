"""What every service behind the endpoint answers unless it says otherwise (JSON 1.1 services)."""
from .errors import plain


class Service:
    content_type = "application/x-amz-json-1.1"

    def __init__(self, endpoint):
        self.endpoint = endpoint

    def reset(self):
        """Forgets what the service keeps beyond moto (moto itself is reset by the endpoint)."""

    def table_of(self, request):
        """The DynamoDB table a request is about, for the journal and table-scoped faults."""
        return None

    def rate_names(self, operation):
        """The rate buckets a request takes a token from."""
        return [operation]

    def throttle_fault(self, operation):
        return plain("ThrottlingException", "Rate exceeded")
