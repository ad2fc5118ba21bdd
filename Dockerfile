# syntax=docker/dockerfile:1
# Vigil, the production image: `docker compose up` (compose.yaml) runs it with PostgreSQL and
# Mosquitto. Two stages: `build` installs every dependency with `npm ci`, whose `prepare` builds
# the dashboard (packages/web/dist) and the server bundle (packages/server/dist), then drops the
# development dependencies; `runtime` copies that tree onto a slim Node image and runs it as the
# unprivileged `node` user. scripts/check-docker-entry.mjs runs this file's CMD against a real
# PostgreSQL and Mosquitto in CI, and test/packaging/dockerfile.test.ts keeps the two in step.

ARG NODE_VERSION=20.19
FROM node:${NODE_VERSION}-bookworm-slim AS build
# Compilers only for a native module without a prebuilt binary for this platform (argon2,
# better-sqlite3 ship prebuilds for linux x64 and arm64 glibc).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# `npm ci` runs the root `prepare`, which builds the web app and the server bundle (as
# `npm install` does on a workstation); the development dependencies that built them then go.
RUN npm ci --no-audit --no-fund --loglevel=error \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error \
 && test -f packages/server/dist/server.mjs && test -f packages/web/dist/index.html

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# ffmpeg decodes uploaded audio clips and rPPG videos (as the README's quick start needs).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown node:node /data
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    VIGIL_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=root:root /app /app
USER node
VOLUME ["/data"]
EXPOSE 8000 1883
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=32", "packages/server/scripts/start.mjs"]
