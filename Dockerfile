# The bridge and its agency simulators in one image: `bridge serve`, `bridge worker` and `bridge simulate`
# are the same code with a different command (docker-compose.yml). TypeScript runs through esbuild's transform
# (bin/ts-hooks.mjs; esbuild is a runtime dependency), so there is no build step and `npm ci --omit=dev`
# installs everything needed.
#
# Node 26 is the active LTS (since October 2026; Node 24 is in maintenance, Node 20 ended in April 2026),
# on Debian 12 as the CI machines are. The code itself still runs on Node >= 20.12 (package.json engines).
FROM node:26-bookworm-slim

ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false

WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# Sources, schemas, mappings and the bundled examples (the simulators' default ORDS data).
COPY bin ./bin
COPY src ./src
COPY schemas ./schemas
COPY mappings ./mappings
COPY simulators ./simulators
COPY examples ./examples

# Never run as root: the base image's `node` user owns nothing it does not need.
USER node

ENTRYPOINT ["node", "bin/bridge.js"]
CMD ["--help"]
