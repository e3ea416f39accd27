from enum import StrEnum


class AgentSpecArchitecture(StrEnum):
    PIPELINE = "pipeline"
    REALTIME = "realtime"
    TEXT = "text"

    def __str__(self) -> str:
        return str(self.value)
