"""Agents: their definition, variables, and the providers they need."""
