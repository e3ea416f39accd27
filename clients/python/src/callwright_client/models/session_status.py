from enum import StrEnum


class SessionStatus(StrEnum):
    ACTIVE = "active"
    CREATED = "created"
    ENDED = "ended"
    FAILED = "failed"

    def __str__(self) -> str:
        return str(self.value)
