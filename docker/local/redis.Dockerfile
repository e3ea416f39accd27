# Stand-in for redis:7-alpine: Debian's redis-server and redis-cli. docker-compose.yml's
# command (`sh -c "... | exec redis-server - ..."`) and health check run unchanged.
ARG BASE=callwright-local/python:3.11-bookworm
FROM ${BASE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \
 && rm -rf /var/lib/apt/lists/*
USER redis
CMD ["redis-server"]
