# REST API (falcon on gunicorn).
FROM calipso-base
EXPOSE 8747
CMD ["calipso", "api", "--bind", "0.0.0.0:8747"]
