from enum import StrEnum


class ApiKeyPublicScope(StrEnum):
    FULL = "full"
    SESSIONS = "sessions"

    def __str__(self) -> str:
        return str(self.value)
