"""Test support: real services started for the tiers, and the rule for missing ones."""
