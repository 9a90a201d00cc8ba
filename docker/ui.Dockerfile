# Web UI, a client of the REST API.
FROM calipso-base
USER root
EXPOSE 80
CMD ["calipso", "ui", "--port", "80"]
