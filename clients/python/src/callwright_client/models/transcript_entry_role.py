from enum import StrEnum


class TranscriptEntryRole(StrEnum):
    ASSISTANT = "assistant"
    EVENT = "event"
    TOOL = "tool"
    USER = "user"

    def __str__(self) -> str:
        return str(self.value)
