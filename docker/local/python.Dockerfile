# Stand-in for python:3.11-slim-bookworm, built from Debian packages without a registry
# (docker/local/build-images.sh): the debootstrap'ed bookworm with python3.11 it imports.
# Only the environment the public image's users rely on is added here.
ARG BASE=callwright-local/bookworm:minbase
FROM ${BASE}
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
