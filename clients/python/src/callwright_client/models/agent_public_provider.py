from enum import StrEnum


class AgentPublicProvider(StrEnum):
    GEMINI = "gemini"
    OPENAI = "openai"

    def __str__(self) -> str:
        return str(self.value)
