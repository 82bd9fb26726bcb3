import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { toolDigest, writeLock } from "../../src/security/pins.ts";
import {
  BUN,
  type ConnectedClient,
  connectHttp,
  FIXTURES,
  startFromFile,
  startGateway,
  waitFor,
} from "../helpers.ts";
import { MCP_HEADERS } from "../security/_helpers.ts";

/** A one-operation OpenAPI spec (GET /giraffes, listGiraffes) for `cap import`. */
export const ZOO_SPEC = `openapi: 3.0.3
info: { title: Zoo API, version: 1.0.0 }
servers: [{ url: "http://127.0.0.1:9/v1" }]
paths:
  /giraffes:
    get:
      operationId: listGiraffes
      summary: List the giraffes
      responses: { "200": { description: ok } }
`;

/**
 * A gateway from `dir`/gateway.yaml serving the capability file `dir`/caps/zoo_list.yaml (its
 * lines `zooList`) with the `capabilities` settings (a flow map), its keys in `dir`/secrets.env
 * (`secrets`) read through env_files: started with PATH alone in its environment, so that only
 * that file holds the key. The config file's path, and the gateway.
 */
export async function gatewayWithEnvFile(
  dir: string,
  options: { zooList: string[]; secrets: string; capabilities: string },
): Promise<{ file: string; running: RunningGateway }> {
  mkdirSync(join(dir, "caps"));
  writeFileSync(join(dir, "caps/zoo_list.yaml"), options.zooList.join("\n"));
  writeFileSync(join(dir, "secrets.env"), options.secrets);
  const file = join(dir, "gateway.yaml");
  writeFileSync(file, `env_files: [secrets.env]\ncapabilities: ${options.capabilities}\n`);
  const env = { PATH: process.env.PATH };
  const running = await runGateway({
    config: loadConfig({ path: file, env }),
    port: 0,
    memoryState: true,
    env,
  });
  return { file, running };
}

/** A JSON-RPC answer as a raw session reads it. */
export type Answer = {
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
};

/** A raw 2025-11-25 session on `url` + `path`: `send` posts one request and returns its answer. */
export async function rawSession(url: string, path = "/mcp", headers: Record<string, string> = {}) {
  let id = "";
  let n = 0;
  const send = async (method: string, params: Record<string, unknown> = {}): Promise<Answer> => {
    const requestId = ++n;
    const response = await fetch(`${url}${path}`, {
      method: "POST",
      headers: {
        ...MCP_HEADERS,
        ...headers,
        "mcp-protocol-version": "2025-11-25",
        ...(id ? { "mcp-session-id": id } : {}),
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: requestId, method, params }),
    });
    id ||= response.headers.get("mcp-session-id") ?? "";
    const text = await response.text();
    const line = text.split("\n").find((l) => l.includes(`"id":${requestId}`));
    return JSON.parse((line ?? "{}").replace(/^data: /, "")) as Answer;
  };
  await send("initialize", {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "attacker", version: "1" },
  });
  return send;
}

/**
 * A gateway serving the capability files in `dir` alone (no built-ins; private addresses allowed,
 * for a stand-in API on loopback), with `env` as its environment, and a client session on it;
 * once `count` capabilities are listed. Both are stopped by `cleanups`.
 */
export async function servingCapabilities(
  dir: string,
  count: number,
  cleanups: (() => unknown)[],
  env?: Record<string, string | undefined>,
): Promise<{ gateway: Awaited<ReturnType<typeof startGateway>>; session: ConnectedClient }> {
  const gateway = await startGateway(
    `capabilities: { builtin: false, directories: ["${dir}"], allow_private_networks: true }\n`,
    env,
  );
  cleanups.push(() => gateway.stop());
  const session = await connectHttp(gateway.url);
  cleanups.push(session.close);
  await waitFor(() => gateway.gateway.index.tools("capabilities").length === count);
  return { gateway, session };
}

/** `gateway_invoke` of capability `tool` with `args` on `session`. */
export function invokeCapability(
  session: ConnectedClient,
  tool: string,
  args: Record<string, unknown> = {},
) {
  return session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "capabilities", tool, arguments: args },
  });
}

/**
 * A gateway from `dir`/gateway.yaml whose backend `pz` (test/fixtures/poisoned/server.ts) serves
 * `served` while `dir`/gateway.lock pins `pinned` of the same name: lock drift, the tool held.
 * `served` is in `dir`/tools.json, which the backend re-reads (rewrite it to change the tool).
 */
export async function startDrifted(
  dir: string,
  pinned: { name: string },
  served: { name: string },
): Promise<RunningGateway & { url: string }> {
  writeFileSync(join(dir, "tools.json"), JSON.stringify([served]));
  writeLock(join(dir, "gateway.lock"), {
    version: 1,
    backends: { pz: { [pinned.name]: toolDigest(pinned as never) } },
    capabilities: {},
  });
  const file = join(dir, "gateway.yaml");
  writeFileSync(
    file,
    `state_dir: ${join(dir, "state")}
capabilities: { enabled: false }
backends:
  pz:
    command: ${BUN}
    args: ["${join(FIXTURES, "poisoned/server.ts")}"]
    env: { TOOLS_FILE: "${join(dir, "tools.json")}" }
`,
  );
  return startFromFile(file);
}
