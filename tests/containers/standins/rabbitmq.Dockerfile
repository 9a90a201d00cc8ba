# Stand-in for the official rabbitmq image: Debian's rabbitmq-server, honouring the official image's
# RABBITMQ_DEFAULT_USER / RABBITMQ_DEFAULT_PASS and accepting them from other containers.
FROM localhost/debian:bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rabbitmq-server \
 && rm -rf /var/lib/apt/lists/*
COPY rabbitmq-entrypoint.sh /usr/local/bin/rabbitmq-entrypoint.sh
EXPOSE 5672
CMD ["/bin/sh", "/usr/local/bin/rabbitmq-entrypoint.sh"]
