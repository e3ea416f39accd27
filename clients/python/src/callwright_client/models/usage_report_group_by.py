from enum import StrEnum


class UsageReportGroupBy(StrEnum):
    AGENT = "agent"
    DAY = "day"

    def __str__(self) -> str:
        return str(self.value)
