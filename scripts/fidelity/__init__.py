"""The fidelity endpoint: moto plus what DynamoDB really does (states, quotas, rates, messages, replicas)."""
