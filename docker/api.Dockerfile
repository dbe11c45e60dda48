# API image: NestJS server (apps/api/dist/main.js) and its CLI (apps/api/dist/cli.js: migrate, seed).
#
# Build from the repository root (the context must be the root; see /.dockerignore):
#   docker build -f docker/api.Dockerfile -t storefront-api:local .
# Run: read-only root filesystem with a tmpfs on /tmp, as uid 1000, secrets from the
# environment at run time (never at build time). See docker/README.md.
#
# Every FROM is pinned by digest. node:24-bookworm-slim = Node 24.19.0 on Debian 12, digest of
# the multi-platform index (amd64, arm64, ppc64le) as recorded by docker-library/repo-info
# (repos/node/remote/24-bookworm-slim.md). Refresh procedure: docker/README.md, "Base images".
# No `# syntax=` line on purpose: it would pull a frontend image that is not pinned.

# ---- build: full install (dev dependencies included) and Nx build --------------------------
FROM node:24-bookworm-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df AS build
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true
WORKDIR /src
# Manifests first so the dependency layer is cached until the lockfile changes.
# .npmrc carries strict-allow-scripts / engine-strict (no credentials).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nx run api:build \
    && test -f apps/api/dist/main.js \
    && test -f apps/api/dist/cli.js

# ---- runtime: production dependencies only, non-root, no package manager ------------------
FROM node:24-bookworm-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3333 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Production dependencies only; install scripts stay governed by package.json "allowScripts".
# Then remove npm, npx, corepack and yarn: the running service never needs a package manager,
# and every tool left in the image is attack surface and scanner noise.
RUN npm ci --omit=dev --no-audit --no-fund \
    && npm cache clean --force \
    && rm -rf /root/.npm /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
       /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
       /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
    && rm -f .npmrc
# Application files stay owned by root and are not writable by the runtime user.
COPY --from=build /src/apps/api/dist ./apps/api/dist
COPY docker/healthcheck.mjs ./docker/healthcheck.mjs
# uid/gid 1000 = the `node` user of the official image; numeric so Kubernetes/ECS can verify
# runAsNonRoot without resolving names.
USER 1000:1000
EXPOSE 3333
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "docker/healthcheck.mjs", "http://127.0.0.1:3333/api/health/live"]
# Exec form: node is PID 1's child under `init: true` (Compose) / initProcessEnabled (ECS),
# and receives SIGTERM directly for a graceful shutdown.
CMD ["node", "apps/api/dist/main.js"]
