"""A voice call on LiveKit: room names, dispatch, worker heartbeats, LiveKit's events,
and what a call records."""
