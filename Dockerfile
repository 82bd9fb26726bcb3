# syntax=docker/dockerfile:1
# mcp-gateway in a `scratch` image: the compiled binary, the libraries it links, CA certificates
# and a default /config.yaml; nothing else (no shell, no package manager), run as a numeric user
# with nothing writable.
#
#   docker build --build-arg MCP_GATEWAY_COMMIT=$(git rev-parse --short HEAD) -t mcp-gateway .
#   export MCP_GATEWAY_TOKEN=$(openssl rand -hex 32)   # the key clients send as a Bearer token
#   docker run --rm -e MCP_GATEWAY_TOKEN -p 127.0.0.1:39400:39400 mcp-gateway
#
# The default /config.yaml turns auth on with the admin token from MCP_GATEWAY_TOKEN; without it
# the gateway exits at start and names the variable. Mount your own config over /config.yaml.
#
# packaging/docker/rootfs.sh assembles the final filesystem; test/dist/docker-rootfs.test.ts runs
# the same script and starts the binary in it with chroot.

ARG BUN_VERSION=1.4.5

FROM oven/bun:${BUN_VERSION}-debian AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# Runtime dependencies only, at the versions package-lock.json pins (bun migrates the npm lock).
RUN bun install --production --frozen-lockfile --ignore-scripts
COPY . .
ARG MCP_GATEWAY_COMMIT=unknown
RUN MCP_GATEWAY_COMMIT=${MCP_GATEWAY_COMMIT} bun scripts/build.ts /out/mcp-gateway \
  && sh packaging/docker/rootfs.sh /out/mcp-gateway /rootfs packaging/docker/config.yaml

FROM scratch
COPY --from=build /rootfs/ /
USER 65532:65532
ENV HOME=/
EXPOSE 39400
# Arguments given to `docker run` are appended (e.g. `--log-level debug`). A config without auth
# refuses 0.0.0.0 unless `--allow-unauthenticated` is passed, for a proxy that authenticates.
ENTRYPOINT ["/mcp-gateway", "serve", "--config", "/config.yaml", "--host", "0.0.0.0"]
