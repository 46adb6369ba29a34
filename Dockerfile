# syntax=docker/dockerfile:1
# Prism Gateway serving the Confluent-compatible Schema Registry (deploy/docker/gateway.yaml).
#   docker build -t prism-gateway .
#   docker run -p 8081:8081 -p 8083:8083 -v prism-data:/data prism-gateway

# ---- build: compile TypeScript ------------------------------------------------------------
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY patterns ./patterns
COPY proto ./proto
# The schema browser, built by vite into dist/ui.
COPY ui ./ui
RUN npm run build

# ---- runtime dependencies only (better-sqlite3 compiles here, with the toolchain) ---------
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# ---- final image --------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY proto ./proto
COPY examples/confluent-schema-registry/frontend.yaml ./examples/confluent-schema-registry/frontend.yaml
COPY examples/confluent-schema-registry/dek-frontend.yaml ./examples/confluent-schema-registry/dek-frontend.yaml
COPY deploy/docker/gateway.yaml ./deploy/docker/gateway.yaml
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 8081 the public API, 8083 probes (/healthz, /readyz, /metrics), 9090 the gRPC passthrough;
# the admin API (8082) listens inside the container only.
EXPOSE 8081 8083 9090
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8083/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same as `npm start`, with the container's config: node itself is the container's main
# process, so `docker stop`'s SIGTERM reaches the gateway and it drains (no npm in between).
ENTRYPOINT ["node", "dist/src/cli.js", "serve", "--config", "deploy/docker/gateway.yaml"]
