# Shared base image of every Calipso service: the one `calipso` distribution, nothing else.
FROM python:3.11-slim AS calipso-base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CALIPSO_HOME=/var/lib/calipso
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssh-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/calipso calipso
WORKDIR /opt/calipso
COPY pyproject.toml README.md ./
COPY app ./app
COPY scan ./scan
COPY listen ./listen
COPY api ./api
COPY monitoring ./monitoring
COPY ui ./ui
COPY simulator ./simulator
RUN pip install --no-cache-dir .
USER calipso
