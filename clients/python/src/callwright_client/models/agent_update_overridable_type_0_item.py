from enum import StrEnum


class AgentUpdateOverridableType0Item(StrEnum):
    GREETING = "greeting"
    INSTRUCTIONS = "instructions"
    LANGUAGE = "language"
    LLM_TEMPERATURE = "llm.temperature"
    MAX_DURATION_SECONDS = "max_duration_seconds"
    REALTIME_TEMPERATURE = "realtime.temperature"
    REALTIME_VOICE = "realtime.voice"
    TTS_VOICE = "tts.voice"

    def __str__(self) -> str:
        return str(self.value)
