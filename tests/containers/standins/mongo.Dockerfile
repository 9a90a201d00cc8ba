# Stand-in for the official mongo image: our embedded store (nx-27017, the MongoDB wire protocol on
# SQLite) on 0.0.0.0:27017 with its data in /data/db. Debian has no MongoDB package.
ARG BASE=calipso/base:latest
FROM ${BASE}
USER root
RUN mkdir -p /data/db && chown calipso:calipso /data/db
USER calipso
VOLUME /data/db
EXPOSE 27017
CMD ["python", "-m", "app.store.embedded_server", "--data-dir", "/data/db", "--host", "0.0.0.0", "--port", "27017", \
     "--pid-file", "/tmp/nx-27017.pid", "--log-file", "/tmp/nx-27017.log"]
