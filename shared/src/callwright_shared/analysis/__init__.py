"""Post-call analysis: its settings, its queue in the database, and the request and
answer of the operator's analysis LLM."""
