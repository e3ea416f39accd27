"""What an emulated model's reply policy may return instead of words: a tool call.

Every emulator takes `reply` as words or a function of the conversation so far; that
function returns words, or a `FunctionCall` the emulator sends on its provider's wire
format (Gemini `toolCall`, OpenAI Realtime `function_call` items). The tool's result
comes back in the conversation the next call of the policy sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FunctionCall:
    """A reply that calls a tool instead of speaking."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
