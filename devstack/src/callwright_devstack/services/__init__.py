"""Services the tests, the benchmarks and the dev runner start on loopback: real servers
as processes (livekit-server, PostgreSQL, Redis, callwright's issuer and worker) and small
in-process ones (a tool server, webhook and OTLP receivers, a TCP balancer)."""
