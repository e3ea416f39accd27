"""Creating, running and ending sessions: admission, voice, chat, stats."""
