"""The development stack, for a checkout only (the dev dependency group; never in an
image): what `callwright dev`, the tests and the benchmarks start and talk to.

    dev.py, livekit_config.py   `callwright dev` (`make run`) and LiveKit's local config
    launch.py                   one launcher for local processes and in-process servers
    services/                   real services: livekit-server, PostgreSQL, Redis, the
                                issuer and the worker as processes, receivers, a tool server
    emulators/                  the paid providers' wire protocols, on loopback
    tenants.py, api.py, ...     seeded tenants, clients, recorded speech, a caller, waits
    api_reference.py            renders docs/api.md from the issuer's OpenAPI schema
    sdk.py                      generates clients/ (the SDKs) from the same schema
"""
