"""Provider emulators: local servers speaking the real wire protocols.

Point the real livekit plugins at them through their base URLs:
`openai.LLM/TTS(base_url=OpenAIEmulator.base_url)`,
`openai.realtime.RealtimeModel(base_url=OpenAIRealtimeEmulator.base_url)`,
`deepgram.STT(base_url=DeepgramEmulator.base_url)`,
`deepgram.TTS(base_url=DeepgramAuraEmulator.speak_url)`,
`elevenlabs.TTS(base_url=ElevenLabsEmulator.base_url, encoding="pcm_24000")`,
`cartesia.TTS(base_url=CartesiaEmulator.base_url)`,
`google.realtime.RealtimeModel(http_options=HttpOptions(base_url=GeminiLiveEmulator.base_url))`
with `SSL_CERT_FILE=GeminiLiveEmulator.ca_bundle` (the SDK dials only `wss://`).
"""

from ._speech import SpeechRequest
from ._tools import FunctionCall
from .cartesia_emulator import CartesiaEmulator
from .deepgram_aura_emulator import DeepgramAuraEmulator
from .deepgram_emulator import DeepgramEmulator
from .elevenlabs_emulator import ElevenLabsEmulator
from .gemini_live_emulator import GeminiLiveEmulator
from .openai_emulator import OpenAIEmulator
from .openai_realtime_emulator import OpenAIRealtimeEmulator

__all__ = [
    "CartesiaEmulator",
    "DeepgramAuraEmulator",
    "DeepgramEmulator",
    "ElevenLabsEmulator",
    "FunctionCall",
    "GeminiLiveEmulator",
    "OpenAIEmulator",
    "OpenAIRealtimeEmulator",
    "SpeechRequest",
]
