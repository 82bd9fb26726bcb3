import type { ResolvedConfig } from "../config/load.ts";
import { createRoutes } from "../http/routes.ts";
import { serveHttp } from "../http/serve.ts";
import { logger } from "../logger.ts";
import {
  createMemoryStore,
  defaultStateDir,
  openStateStore,
  type StateStore,
} from "../state/store.ts";
import { createDrivers } from "./drivers.ts";
import { createGateway, type Gateway } from "./gateway.ts";

export interface RunOptions {
  config: ResolvedConfig;
  /** Serve MCP on stdin/stdout instead of HTTP. */
  stdio?: boolean;
  host?: string;
  port?: number;
  /** Keep state in memory (tests); otherwise the state directory is used. */
  memoryState?: boolean;
  env?: Record<string, string | undefined>;
}

export interface RunningGateway {
  gateway: Gateway;
  /** The HTTP base URL, when serving HTTP. */
  url?: string;
  port?: number;
  /** Stops accepting, ends sessions, closes every backend. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the gateway: state, backends (in the background), then HTTP or stdio. */
export async function runGateway(options: RunOptions): Promise<RunningGateway> {
  const { config } = options;
  const store: StateStore = options.memoryState
    ? createMemoryStore()
    : await openStateStore(config.state_dir ?? defaultStateDir(options.env));
  const drivers = await createDrivers(config, options.env);
  const gateway = createGateway({ config, store, env: options.env, drivers });
  const discovery = gateway.start();
  discovery.catch(() => {});

  let stopping: Promise<void> | undefined;
  if (options.stdio) {
    const { serveStdio } = await import("@modelcontextprotocol/server/stdio");
    const { createSessionServer } = await import("./server.ts");
    const factory = () =>
      createSessionServer(gateway, { sessionId: () => "stdio", notifyListChanged: true });
    const handle = serveStdio(factory, {
      onerror: (error) => logger.debug(`stdio: ${error.message}`),
    });
    return {
      gateway,
      stop: () => {
        stopping ??= (async () => {
          await handle.close().catch(() => {});
          await gateway.close();
        })();
        return stopping;
      },
    };
  }

  const routes = createRoutes(gateway);
  const host = options.host ?? config.server.host;
  const server = serveHttp(routes, host, options.port ?? config.server.port);
  logger.info(`mcp-gateway listening on ${server.url}/mcp (${config.backends.length} backends)`);
  return {
    gateway,
    url: server.url,
    port: server.port,
    stop: () => {
      stopping ??= (async () => {
        await server.stop().catch(() => {});
        await routes.close();
        await gateway.close();
      })();
      return stopping;
    },
  };
}
