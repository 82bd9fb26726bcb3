# syntax=docker/dockerfile:1
# mcp-gateway in a `scratch` image: the compiled binary, the libraries it links, CA certificates
# and a default /config.yaml; nothing else (no shell, no package manager), run as a numeric user
# with nothing writable.
#
#   docker build --build-arg MCP_GATEWAY_COMMIT=$(git rev-parse --short HEAD) -t mcp-gateway .
#   docker run --rm -p 127.0.0.1:39400:39400 -v ./gateway.yaml:/config.yaml:ro mcp-gateway
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
ENTRYPOINT ["/mcp-gateway", "serve", "--config", "/config.yaml", "--host", "0.0.0.0"]
# API-key auth is not in this version yet, so binding 0.0.0.0 needs this flag. Publish the port on
# loopback (-p 127.0.0.1:39400:39400) or put an authenticating proxy in front. Any arguments given
# to `docker run` replace it (e.g. `--log-level debug`).
CMD ["--allow-unauthenticated"]
