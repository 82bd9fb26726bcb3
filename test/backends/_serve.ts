import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Subprocess } from "bun";
import {
  BUN,
  type ConnectedClient,
  connectHttp,
  FIXTURES,
  freePort,
  ROOT,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";

export const HOSTILE_SERVER = join(FIXTURES, "servers/hostile.ts");

/** A `serve` process of its own (a throw that escapes kills it, not the test runner). */
export interface ServeProcess {
  process: Subprocess<"ignore", "pipe", "pipe">;
  url: string;
  session: ConnectedClient;
  /** Calls `tool` of `server` through gateway_invoke. */
  invoke(server: string, tool: string, args?: Record<string, unknown>): Promise<CallResult>;
  stop(): Promise<void>;
}

export interface CallResult {
  content?: { type: string; text?: string }[];
  isError?: boolean;
}

/** Starts `mcp-gateway serve` from source on a free port with this YAML and connects a client. */
export async function startServe(
  yaml: string,
  env: Record<string, string | undefined> = process.env,
): Promise<ServeProcess> {
  const port = await freePort();
  const config = writeConfig(`capabilities: { enabled: false }\n${yaml}`);
  const child = Bun.spawn(
    [BUN, join(ROOT, "src/main.ts"), "serve", "--config", config, "--port", String(port)],
    { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { XDG_STATE_HOME: tempDir(), ...env } },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok, 15_000);
  const session = await connectHttp(url);
  return {
    process: child,
    url,
    session,
    async invoke(server, tool, args = {}) {
      return (await session.client.callTool(
        { name: "gateway_invoke", arguments: { server, tool, arguments: args } },
        { timeout: 120_000 },
      )) as CallResult;
    },
    async stop() {
      await session.close();
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

/** Pids of the processes whose command line contains `pattern` (never this one). */
export function running(pattern: string): number[] {
  const result = spawnSync("pgrep", ["-f", pattern], { encoding: "utf8" });
  return result.stdout
    .split("\n")
    .filter(Boolean)
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

export function text(result: CallResult): string {
  return result.content?.find((block) => block.type === "text")?.text ?? "";
}
