from enum import StrEnum


class RecordingInfoStatus(StrEnum):
    DELETED = "deleted"
    FAILED = "failed"
    PENDING = "pending"
    READY = "ready"

    def __str__(self) -> str:
        return str(self.value)
