#!/usr/bin/env bash
# `make images`: build every Calipso image with podman or docker, whichever is present, and write
# .env with fresh secrets the first time (compose reads it; it is never committed nor baked in).
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINE=${CALIPSO_ENGINE:-}
if [ -z "$ENGINE" ]; then
    for e in podman docker; do
        if command -v "$e" >/dev/null && "$e" info >/dev/null 2>&1; then ENGINE=$e; break; fi
    done
fi
[ -n "$ENGINE" ] || { echo "make images: no container engine answers (install podman or docker)" >&2; exit 2; }

PYTHON_IMAGE=$(sed -n 's/^ARG PYTHON_IMAGE=//p' docker/Dockerfile)
if ! "$ENGINE" image inspect "$PYTHON_IMAGE" >/dev/null 2>&1 && ! "$ENGINE" pull -q "$PYTHON_IMAGE" >/dev/null 2>&1; then
    echo "make images: $PYTHON_IMAGE is not here and cannot be pulled (no registry reachable?);" >&2
    echo "  'make container-standins' builds local stand-ins from Debian's packages" >&2
    exit 2
fi

TAG=${CALIPSO_TAG:-latest}
TARGETS="base scan scan-worker listen api monitoring ui sim"
start=$(date +%s)
for target in $TARGETS; do
    echo "building calipso/$target:$TAG"
    "$ENGINE" build -q -f docker/Dockerfile --target "$target" -t "calipso/$target:$TAG" . >/dev/null
done
took=$(( $(date +%s) - start ))

if [ ! -f .env ]; then
    umask 077
    {
        echo "# written by 'make images': secrets for docker-compose.yml (keep this file private)"
        echo "CALIPSO_AMQP_USER=calipso"
        echo "CALIPSO_AMQP_PASSWORD=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"
    } > .env
    echo "wrote .env with a fresh broker password"
fi
if ! grep -q '^CALIPSO_CONSOLE_SECRET=' .env; then   # shared by the api and ui services (see app/console_link.py)
    echo "CALIPSO_CONSOLE_SECRET=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" >> .env
    echo "added a console secret to .env"
fi

base=$("$ENGINE" image inspect --format '{{.Size}}' "calipso/base:$TAG")
printf '\n%-28s %10s %14s\n' image size "over base"
for target in $TARGETS; do
    size=$("$ENGINE" image inspect --format '{{.Size}}' "calipso/$target:$TAG")
    printf '%-28s %7d MB %11d MB\n' "calipso/$target:$TAG" $((size / 1000000)) $(((size - base) / 1000000))
done
echo "built with $ENGINE in ${took} s"
