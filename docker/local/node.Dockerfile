# Stand-in for node:22-bookworm-slim (the page's build stage): Debian's nodejs and npm.
ARG BASE=callwright-local/python:3.11-bookworm
FROM ${BASE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null \
 && rm -rf /var/lib/apt/lists/*
# npm trusts the system's CAs (a TLS-inspecting egress proxy's included).
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
