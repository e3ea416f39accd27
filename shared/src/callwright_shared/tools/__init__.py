"""Agent tools: what an agent may call, validated once, run one way.

- `models`: the tool models and their validation at save, and `raw_schema(tool)`, the
  `{"name", "description", "parameters"}` that livekit-agents'
  `function_tool(handler, raw_schema=...)` and Chat Completions' `tools` take;
- `schema`: the parameters' JSON Schema subset (stricter for Gemini Live);
- `checks`: what is checked at save beyond the models (URLs, transfer targets) and the
  write-only secret headers;
- `executor`: one signed request per call, its outcome and its transcript record;
- `signing_secret`: the organization's signing secret.
"""
