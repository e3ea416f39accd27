"""HTTP plumbing: dependencies, error responses, body and rate limits, parameters, metrics."""
