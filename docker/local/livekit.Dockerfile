# Stand-in for livekit/livekit-server: the livekit-server binary `make tools` builds (the
# same version), with wget for docker-compose.yml's health check. The build context is a
# directory holding only that binary (docker/local/build-images.sh copies it there).
ARG BASE=callwright-local/python:3.11-bookworm
FROM ${BASE}
COPY livekit-server /livekit-server
ENTRYPOINT ["/livekit-server"]
