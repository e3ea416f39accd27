#!/usr/bin/env bash
# Local stand-ins for the public images docker-compose.yml and the Dockerfiles pull, built
# from Debian packages on a host that reaches no image registry (the compose test tier's
# case; docs/deploy.md section 11). Run as root, from anywhere, with DOCKER_HOST naming
# the engine:
#
#   docker/local/build-images.sh      # prints KEY=image lines for the compose override
#
# Each image is built once and reused while the engine keeps it (delete it to rebuild):
#   callwright-local/bookworm:minbase   debootstrap --variant=minbase bookworm, python3.11
#   callwright-local/python:3.11-bookworm   for PYTHON_IMAGE (python:3.11-slim-bookworm)
#   callwright-local/uv:<version>       for UV_IMAGE: /uv and /uvx from uv's PyPI wheel
#   callwright-local/node:bookworm      for NODE_IMAGE: Debian's nodejs and npm
#   callwright-local/livekit-server:<v> .tools/bin/livekit-server (`make tools`)
#   callwright-local/postgres:bookworm  Debian's postgresql
#   callwright-local/redis:bookworm     Debian's redis-server
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PYTHON="${PYTHON:-python3}"
LIVEKIT="$REPO/.tools/bin/livekit-server"
LIVEKIT_VERSION="$(sed -n 's/^LIVEKIT_VERSION := //p' "$REPO/Makefile")"
# uv's binary from its PyPI wheel: the one running us (`uv run` sets UV), else the installed
# wheel's (`command -v uv` last: a pyenv shim named uv is a script, not the binary).
UV_BIN="${UV:-$("$PYTHON" -c 'import uv; print(uv.find_uv_bin())' 2>/dev/null || command -v uv)}"
if [ "$(head -c 4 "$UV_BIN" | od -An -c | tr -d ' ')" != '177ELF' ]; then
    echo "build-images: $UV_BIN is not uv's binary (a shim?); set UV to the binary" >&2
    exit 1
fi
UV_VERSION="$("$UV_BIN" --version | cut -d' ' -f2)"

log() { echo "build-images: $*" >&2; }
have() { docker image inspect "$1" >/dev/null 2>&1; }
# The simple Dockerfiles here need no BuildKit; every build uses the host's network.
build() { # tag dockerfile context [build-arg...]
    local tag="$1" file="$2" context="$3"
    shift 3
    have "$tag" && return
    log "building $tag"
    DOCKER_BUILDKIT=0 docker build -q --network host -f "$file" -t "$tag" "$@" "$context" \
        >"$scratch/build.log" 2>&1 || { cat "$scratch/build.log" >&2; exit 1; }
}

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

base=callwright-local/bookworm:minbase
if ! have "$base"; then
    log "debootstrap bookworm from $MIRROR (about a minute)"
    debootstrap --variant=minbase --include=ca-certificates,python3.11,python-is-python3,wget \
        bookworm "$scratch/rootfs" "$MIRROR" >"$scratch/debootstrap.log" 2>&1 \
        || { cat "$scratch/debootstrap.log" >&2; exit 1; }
    # The host's own CAs (e.g. a TLS-inspecting egress proxy's), so that uv and npm in the
    # builds reach their registries as the host does. None on most hosts.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$scratch/rootfs/usr/local/share/ca-certificates/"
        chroot "$scratch/rootfs" update-ca-certificates >/dev/null
    fi
    rm -rf "$scratch/rootfs/var/cache/apt/archives/"*.deb "$scratch/rootfs/var/lib/apt/lists/"*
    tar -C "$scratch/rootfs" -c . | docker import - "$base" >/dev/null
    rm -rf "$scratch/rootfs"
fi

python_image=callwright-local/python:3.11-bookworm
build "$python_image" "$HERE/python.Dockerfile" "$HERE" --build-arg "BASE=$base"

# Tagged by the binary's checksum too: an image made from another file is never reused.
uv_image="callwright-local/uv:$UV_VERSION-$(sha256sum "$UV_BIN" | cut -c1-12)"
if ! have "$uv_image"; then
    log "importing $uv_image from $UV_BIN"
    mkdir "$scratch/uv"
    cp "$UV_BIN" "$(dirname "$UV_BIN")/uvx" "$scratch/uv/"
    tar -C "$scratch/uv" -c uv uvx | docker import - "$uv_image" >/dev/null
fi

node_image=callwright-local/node:bookworm
build "$node_image" "$HERE/node.Dockerfile" "$HERE" --build-arg "BASE=$python_image"

livekit_image="callwright-local/livekit-server:$LIVEKIT_VERSION"
if ! have "$livekit_image"; then
    [ -x "$LIVEKIT" ] || { log "$LIVEKIT is missing: run make tools"; exit 1; }
    mkdir "$scratch/livekit"
    cp -L "$LIVEKIT" "$scratch/livekit/livekit-server"
    build "$livekit_image" "$HERE/livekit.Dockerfile" "$scratch/livekit" --build-arg "BASE=$python_image"
fi

postgres_image=callwright-local/postgres:bookworm
build "$postgres_image" "$HERE/postgres.Dockerfile" "$HERE" --build-arg "BASE=$python_image"

redis_image=callwright-local/redis:bookworm
build "$redis_image" "$HERE/redis.Dockerfile" "$HERE" --build-arg "BASE=$python_image"

cat <<OUT
PYTHON_IMAGE=$python_image
UV_IMAGE=$uv_image
NODE_IMAGE=$node_image
LIVEKIT_IMAGE=$livekit_image
POSTGRES_IMAGE=$postgres_image
REDIS_IMAGE=$redis_image
OUT
