from enum import StrEnum


class AgentPublicOverridableItem(StrEnum):
    GREETING = "greeting"
    INSTRUCTIONS = "instructions"
    LANGUAGE = "language"
    MAX_DURATION_SECONDS = "max_duration_seconds"
    TEMPERATURE = "temperature"
    TTS_VOICE = "tts_voice"
    VOICE = "voice"

    def __str__(self) -> str:
        return str(self.value)
