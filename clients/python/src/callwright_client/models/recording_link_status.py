from enum import StrEnum


class RecordingLinkStatus(StrEnum):
    DELETED = "deleted"
    FAILED = "failed"
    PENDING = "pending"
    READY = "ready"

    def __str__(self) -> str:
        return str(self.value)
