from enum import StrEnum


class LedgerEntryPublicKind(StrEnum):
    CAPTURE = "capture"
    GRANT = "grant"
    HOLD = "hold"
    RELEASE = "release"

    def __str__(self) -> str:
        return str(self.value)
