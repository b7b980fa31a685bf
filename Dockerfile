# The Sluice platform in one image: the same launcher, manifest and templates as `npm start`, so the
# container runs exactly what a developer machine runs (docs/guides/deploy-docker-compose.md).
# Servers are installed by the launcher at the first start, from the registries, into the cache volume.
FROM node:20-bookworm

# What the launcher would otherwise apt-get itself: Java 17, Maven, openssl, pip, kcat, Prometheus and
# Alertmanager; Go for building influxd (docs/decisions/0010-influxdb-version.md).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless maven openssl python3-pip kcat prometheus prometheus-alertmanager golang-go gcc \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/sluice
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

ENV SLUICE_HOME=/var/lib/sluice \
    SLUICE_CACHE_DIR=/var/cache/sluice \
    SLUICE_HOST=127.0.0.1
VOLUME ["/var/lib/sluice", "/var/cache/sluice"]
# Foreground: SIGTERM (docker compose stop) stops every component gracefully, Flink jobs with savepoints.
CMD ["node", "bin/sluice.js", "up", "--foreground"]
