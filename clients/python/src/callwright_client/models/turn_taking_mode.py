from enum import StrEnum


class TurnTakingMode(StrEnum):
    DYNAMIC = "dynamic"
    FIXED = "fixed"

    def __str__(self) -> str:
        return str(self.value)
