#!/usr/bin/env bash
# Local stand-ins for the images docker-compose.yml names, for machines with no registry (../shared/containers.md):
#   python:3.11-slim        Debian 12's python3 (3.11) with venv
#   rabbitmq:3.13-management Debian's rabbitmq-server, honouring RABBITMQ_DEFAULT_USER/PASS
#   mongo:7.0               our embedded store (MongoDB wire protocol on SQLite); needs calipso/base first
#   haproxy:2.8             Debian's haproxy (the `lb` service in front of the ui and api replicas)
# Usage: standins.sh base-images | mongo
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/engine.sh" install
ENGINE=$("$here/engine.sh" check)
cd "$here/standins"

build() {  # tag dockerfile [build args...]; FORCE=1 rebuilds (cached layers make that quick)
    local tag=$1 file=$2; shift 2
    if [ -z "${FORCE:-}" ] && "$ENGINE" image inspect "$tag" >/dev/null 2>&1; then return 0; fi
    echo "building stand-in $tag"
    "$ENGINE" build -q "$@" -f "$file" -t "$tag" . >/dev/null
}

compose_image() {  # the image a compose service names
    sed -n "/^  $1:/,/^  [a-z]/s/^    image: //p" "$here/../../docker-compose.yml" | head -n 1
}

case "${1:-base-images}" in
    base-images)
        "$here/engine.sh" debian
        build "docker.io/library/python:3.11-slim" python.Dockerfile
        build "docker.io/library/$(compose_image rabbitmq)" rabbitmq.Dockerfile
        build "docker.io/library/$(compose_image lb)" haproxy.Dockerfile
        ;;
    mongo)
        FORCE=1 build "docker.io/library/$(compose_image mongo)" mongo.Dockerfile --build-arg "BASE=calipso/base:${CALIPSO_TAG:-latest}"
        ;;
    *) echo "usage: $0 base-images|mongo" >&2; exit 2 ;;
esac
