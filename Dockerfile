# Footfall's image: `docker compose up` builds it (docker-compose.yml, docs/deploy.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY . .
RUN pip install . && rm -rf /src

# Run as an unprivileged user; its data directory (spool, runtime files) is a volume.
RUN useradd --system --uid 10001 --home-dir /var/lib/footfall footfall \
    && mkdir -p /var/lib/footfall \
    && chown footfall:footfall /var/lib/footfall
USER footfall
WORKDIR /var/lib/footfall

ENV FOOTFALL_DATA_DIR=/var/lib/footfall \
    FOOTFALL_HOST=0.0.0.0 \
    FOOTFALL_PORT=8000
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]

# `serve` applies pending migrations before it accepts traffic.
CMD ["footfall", "serve", "--host", "0.0.0.0"]
