#!/usr/bin/env bash
# Prepare a container engine for `make images` / `make test-containers` on a machine with no
# registry (see ../shared/containers.md): podman + runc, a containers.conf that works without
# systemd, and `localhost/debian:bookworm` made with debootstrap from Debian's mirror.
#
#   engine.sh check     exit 0 if an engine is usable (podman or docker), printing its name
#   engine.sh install   install podman, runc, debootstrap and podman-compose (needs root + apt)
#   engine.sh debian    build localhost/debian:bookworm if it is missing
set -euo pipefail

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

engine() {
    if command -v podman >/dev/null && podman info >/dev/null 2>&1; then echo podman; return 0; fi
    if command -v docker >/dev/null && docker info >/dev/null 2>&1; then echo docker; return 0; fi
    return 1
}

install_podman() {
    if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null || ! command -v runc >/dev/null; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends podman runc debootstrap
    fi
    # Debian 12's podman (CNI) resolves service names (`mongo`, `rabbitmq`) only with the dnsname plugin,
    # a recommended package that --no-install-recommends leaves out: without it no service finds another.
    if [ ! -x /usr/lib/cni/dnsname ] && podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null | grep -qx cni; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            golang-github-containernetworking-plugin-dnsname
    fi
    # Without these, every run fails here: setrlimit is refused and crun rejects hybrid cgroups.
    if ! grep -qs 'runtime = "runc"' /etc/containers/containers.conf; then
        mkdir -p /etc/containers
        cat > /etc/containers/containers.conf <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
CONF
    fi
}

debian_image() {
    local e; e=$(engine)
    if $e image exists localhost/debian:bookworm 2>/dev/null; then return 0; fi
    local root; root=$(mktemp -d /var/tmp/calipso-rootfs.XXXXXX)
    trap 'rm -rf "$root"' RETURN
    echo "debootstrap bookworm into $root (about a minute)"
    debootstrap --variant=minbase bookworm "$root" "$MIRROR" >/dev/null
    # what the official slim images leave out too, now and in later installs: downloaded packages,
    # package lists, docs, manuals and translations
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
           "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
        'path-exclude /usr/share/locale/*' > "$root/etc/dpkg/dpkg.cfg.d/slim"
    # trust the same extra CAs as this machine, so builds reach PyPI through the same path
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        mkdir -p "$root/usr/local/share/ca-certificates"
        cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    fi
    tar -C "$root" -c . | $e import --change 'CMD ["/bin/bash"]' - localhost/debian:bookworm >/dev/null
}

case "${1:-check}" in
    check) engine ;;
    install) install_podman; engine >/dev/null ;;
    debian) debian_image ;;
    *) echo "usage: $0 check|install|debian" >&2; exit 2 ;;
esac
