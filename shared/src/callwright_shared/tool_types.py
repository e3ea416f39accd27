"""The tool types of an agent's `tools` (each model's `type` tag): a leaf, so that the
error hierarchy can name them without importing the tools."""

TOOL_TYPES = ("http", "end_call", "transfer")
