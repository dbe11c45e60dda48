# Web image: the server-rendered storefront (React Router 8 framework mode).
#
# The contract with apps/web (see apps/web/README.md):
#   - build:   `npx nx run web:build` writes apps/web/build/client and apps/web/build/server
#   - start:   `node apps/web/server.mjs`, listening on HOST/PORT (PORT=3000)
#   - config:  API_URL (server-side base URL of the API, e.g. http://api:3333) and PUBLIC_ORIGINS
#              (the shop's origins; server.mjs refuses NODE_ENV=production, set below, without it)
#   - health:  GET /healthz answers 2xx
#   - writes:  nothing outside /tmp
# The build stage checks these paths exist, so a mismatch fails the build loudly instead of
# producing an image that cannot start.
#
# Build from the repository root:
#   docker build -f docker/web.Dockerfile -t storefront-web:local .
#
# Base image pinned by digest: see api.Dockerfile and docker/README.md, "Base images".

# ---- build ---------------------------------------------------------------------------------
FROM node:24-bookworm-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df AS build
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nx run web:build \
    && test -d apps/web/build/client \
    && test -d apps/web/build/server \
    && test -f apps/web/server.mjs

# ---- runtime -------------------------------------------------------------------------------
FROM node:24-bookworm-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund \
    && npm cache clean --force \
    && rm -rf /root/.npm /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
       /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
       /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
    && rm -f .npmrc
COPY --from=build /src/apps/web/build ./apps/web/build
COPY --from=build /src/apps/web/server.mjs ./apps/web/server.mjs
COPY docker/healthcheck.mjs ./docker/healthcheck.mjs
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=15s --retries=3 \
    CMD ["node", "docker/healthcheck.mjs", "http://127.0.0.1:3000/healthz"]
CMD ["node", "apps/web/server.mjs"]
