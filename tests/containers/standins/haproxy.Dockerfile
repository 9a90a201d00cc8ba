# Stand-in for the official haproxy image: Debian's haproxy, run as its own user with the configuration
# where the official image reads it (/usr/local/etc/haproxy/haproxy.cfg, mounted by docker-compose.yml).
FROM localhost/debian:bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /usr/local/etc/haproxy
USER haproxy
EXPOSE 80 8747
CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]
