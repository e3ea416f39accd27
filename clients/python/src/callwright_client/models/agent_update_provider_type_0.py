from enum import StrEnum


class AgentUpdateProviderType0(StrEnum):
    GEMINI = "gemini"
    OPENAI = "openai"

    def __str__(self) -> str:
        return str(self.value)
