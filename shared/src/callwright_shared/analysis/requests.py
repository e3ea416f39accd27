"""What the analysis LLM is asked and what it must answer.

Asked: a system message with the task (a summary, whether the session met the agent's
`success_criteria`, the data of its `data_schema`, the agent's `instructions`) and one
user message holding the transcript (its user and assistant turns and its tool calls,
the newest `max_chars` kept). The answer is one JSON object, requested with
`response_format: json_schema` (not strict: the tools' schema subset is not OpenAI's
strict subset), and validated here against that same schema, the agent's `data_schema`
included, whatever the model claims to support.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from callwright_shared.calls.records import entries_of
from callwright_shared.recordings.models import AnalysisSpec
from callwright_shared.tools.arguments import Validator

# The longest answer read: a model that rambles on is a failed attempt.
MAX_ANSWER_CHARS = 100_000


class InvalidAnswer(ValueError):
    """The model's answer does not fit the schema; the message says where."""


@dataclass(frozen=True, slots=True)
class Answer:
    summary: str | None
    success: bool | None
    data: dict[str, Any] | None


def output_schema(spec: AnalysisSpec) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    if spec.summary:
        properties["summary"] = {
            "type": "string",
            "description": "A few sentences on what happened in the conversation.",
        }
    if spec.success_criteria:
        properties["success"] = {
            "type": "boolean",
            "description": "Whether the conversation met the success criteria.",
        }
    if spec.data_schema is not None:
        properties["data"] = spec.data_schema
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def transcript_text(transcript: Iterable[Mapping[str, Any]] | None, *, max_chars: int) -> str:
    """The conversation as lines `Caller: ...`, `Agent: ...`, `Tool name: ...`; empty when
    nobody said anything."""
    lines: list[str] = []
    for entry in entries_of(transcript):
        if entry.role == "user" and entry.content.strip():
            lines.append(f"Caller: {entry.content.strip()}")
        elif entry.role == "assistant" and entry.content.strip():
            lines.append(f"Agent: {entry.content.strip()}")
        elif entry.role == "tool":
            lines.append(f"Tool {entry.content}: called")
    if not any(line.startswith(("Caller:", "Agent:")) for line in lines):
        return ""
    text = "\n".join(lines)
    return text[-max_chars:]


def messages(spec: AnalysisSpec, transcript: str) -> list[dict[str, str]]:
    task = [
        "You analyse a finished conversation between a caller and an AI agent.",
        "Answer with one JSON object and nothing else.",
    ]
    if spec.summary:
        task.append("`summary`: a short, factual summary of the conversation.")
    if spec.success_criteria:
        task.append(
            "`success`: true if the conversation met these criteria, else false:\n"
            + spec.success_criteria
        )
    if spec.data_schema is not None:
        task.append(
            "`data`: the information the JSON schema below asks for, taken from the "
            "conversation only:\n" + json.dumps(spec.data_schema, ensure_ascii=False)
        )
    if spec.instructions:
        task.append(spec.instructions)
    return [
        {"role": "system", "content": "\n\n".join(task)},
        {"role": "user", "content": f"The conversation:\n\n{transcript}"},
    ]


def parse_answer(text: str | None, spec: AnalysisSpec) -> Answer:
    """The model's answer, or InvalidAnswer saying why it does not fit."""
    if not text:
        raise InvalidAnswer("the model answered nothing")
    if len(text) > MAX_ANSWER_CHARS:
        raise InvalidAnswer(f"the answer is longer than {MAX_ANSWER_CHARS} characters")
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidAnswer("the answer is not valid JSON") from None
    if not isinstance(value, dict):
        raise InvalidAnswer("the answer is not a JSON object")
    errors = sorted(
        Validator(output_schema(spec)).iter_errors(value),
        key=lambda error: (len(error.absolute_path), error.message),
    )
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path)
        detail = f"{where}: {first.message}" if where else first.message
        raise InvalidAnswer(f"the answer does not fit the schema ({detail[:300]})")
    return Answer(
        summary=value.get("summary"), success=value.get("success"), data=value.get("data")
    )
