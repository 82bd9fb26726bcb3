import { defineCommand } from "citty";
import { loadConfigCached } from "../../config/cache.ts";
import { findConfigFile } from "../../config/locate.ts";
import { errorMessage } from "../../errors.ts";
import { runGateway } from "../../gateway/run.ts";
import { LOOPBACK_HOSTS } from "../../http/loopback.ts";
import { logger, setLogLevel } from "../../logger.ts";
import { isGateway, portHint } from "../../observe/doctor-hints.ts";
import { applyLogArgs } from "../_args.ts";
import { holdLifetime } from "../_lifetime.ts";
import { serveSpec } from "../_tree.ts";

export default defineCommand({
  ...serveSpec,
  async run({ args }) {
    applyLogArgs(args);
    // The original's --no-meta-mcp: as MCP_GATEWAY_META_MCP__ENABLED=false, so reloads keep it.
    if (args["meta-mcp"] === false) process.env.MCP_GATEWAY_META_MCP__ENABLED = "false";
    try {
      const config = await loadConfigCached({ path: args.config, keysUnused: args.stdio });
      if (config.log_level && !args["log-level"] && !process.env.MCP_GATEWAY_LOG_LEVEL) {
        setLogLevel(config.log_level);
      }
      const host = args.host ?? config.server.host;
      const port = args.port === undefined ? undefined : Number(args.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        throw new Error(`--port must be a number from 0 to 65535, got ${args.port}`);
      }
      const unauthenticated = !config.auth.enabled;
      if (
        !args.stdio &&
        !LOOPBACK_HOSTS.has(host) &&
        unauthenticated &&
        !args["allow-unauthenticated"]
      ) {
        throw new Error(
          `refusing to listen on ${host} without auth: anyone who can reach it could call every tool. Bind to 127.0.0.1, turn on auth (mcp-gateway keys create NAME, then auth.enabled: true), or pass --allow-unauthenticated if a proxy in front authenticates clients`,
        );
      }
      if (args.profile !== undefined && !args.stdio) {
        throw new Error(
          "--profile is for serve --stdio: an HTTP client names its profile in the X-MCP-Profile header (or default_routing_profile applies)",
        );
      }
      logger.debug(config.file ? `config: ${config.file}` : "config: built-in default");
      const running = await runGateway({
        config,
        stdio: args.stdio,
        profile: args.profile,
        host,
        port,
        watch: args.watch,
        // No file yet: one written later where the search looks is applied when it appears.
        findConfig: config.file
          ? undefined
          : () => findConfigFile(undefined, process.env, process.cwd()),
      }).catch(async (error: unknown) => {
        if ((error as { code?: unknown })?.code !== "EADDRINUSE") throw error;
        throw new Error(await portInUse(host, port ?? config.server.port, config.file));
      });
      holdLifetime({
        stdio: Boolean(args.stdio),
        // The force-exit timer counts the drain delay too.
        shutdownTimeoutMs: config.server.shutdown_timeout + config.server.drain_delay,
        stop: running.stop,
        reload: running.reload,
      });
    } catch (error) {
      logger.error(errorMessage(error));
      process.exit(1);
    }
  },
});

/** Bun says only "Is port N in use?": say by what, and what to change. */
async function portInUse(host: string, port: number, file: string | undefined): Promise<string> {
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  if (await isGateway(host, port)) {
    return `a gateway is already listening on ${where}: use that one (mcp-gateway tools search talks to it), stop it first, or pass --port to serve another`;
  }
  return `cannot listen on ${where}: ${portHint("EADDRINUSE", port, file)}`;
}
