import { defineCommand } from "citty";
import type { JsonObject } from "../../backends/types.ts";
import { loadConfig, type ResolvedConfig } from "../../config/load.ts";
import { errorMessage } from "../../errors.ts";
import { LOCAL_ADMIN } from "../../gateway/caller.ts";
import { logger, setLogLevel } from "../../logger.ts";
import {
  type CallToolResult,
  OrderedClient,
  StreamableHTTPClientTransport,
} from "../../mcp/sdk.ts";
import { VERSION } from "../../version.ts";
import { applyLogArgs, runAction } from "../_args.ts";
import { toolsCallSpec, toolsSearchSpec, toolsSpec } from "../_tree.ts";
import { evalCommand, withoutAuth } from "./tools-eval.ts";

/** A long call may run up to the gateway's own ceiling, as long as it reports progress. */
const CALL_TIMEOUT_MS = 10 * 60 * 1000;

/** Calls one meta tool, on a running gateway or on one started in this process. */
type MetaCaller = (
  name: string,
  args: JsonObject,
  onProgress?: (text: string) => void,
) => Promise<CallToolResult>;

interface ConnectOptions {
  url?: string;
  key?: string;
  config?: string;
  "log-level"?: string;
}

interface Session {
  call: MetaCaller;
  close(): Promise<void>;
}

/**
 * Connects to the running gateway through the SDK's client. When nothing listens there (and no
 * `--url` was given), starts the gateway of the config inside this process instead; stderr says
 * which one answers.
 */
async function openSession(args: ConnectOptions): Promise<Session> {
  let config: ResolvedConfig | undefined;
  let configError: unknown;
  try {
    config = loadConfig({ path: args.config });
  } catch (error) {
    configError = error;
    config = withoutAuth(args.config);
  }
  const url = args.url ?? defaultUrl(config);
  // MCP_GATEWAY_TOKEN is the container image's admin token: the same key, where it is set.
  const key = args.key ?? process.env.MCP_GATEWAY_KEY ?? process.env.MCP_GATEWAY_TOKEN;
  try {
    const session = await connectRunning(url, key);
    logger.info(`using the gateway at ${url}`);
    return session;
  } catch (error) {
    const refused = (error as { code?: unknown })?.code === "ECONNREFUSED";
    if (!refused || args.url) throw connectError(url, error);
  }
  if (!config) throw configError;
  logger.info(
    `no gateway is running at ${url}; starting one in this process from ${config.file ?? "the built-in default"}`,
  );
  // Backend logs would drown the answer: only warnings, unless --log-level says otherwise.
  if (!args["log-level"] && !process.env.MCP_GATEWAY_LOG_LEVEL) setLogLevel("warn");
  return startInProcess(config);
}

function defaultUrl(config: ResolvedConfig | undefined): string {
  const { host, port } = config?.server ?? { host: "127.0.0.1", port: 39400 };
  const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}/mcp`;
}

async function connectRunning(url: string, key: string | undefined): Promise<Session> {
  const client = new OrderedClient(
    { name: "mcp-gateway-cli", version: VERSION },
    { capabilities: {} },
  );
  const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }),
  );
  return {
    async call(name, args, onProgress) {
      return (await client.callTool(
        { name, arguments: args },
        {
          timeout: CALL_TIMEOUT_MS,
          resetTimeoutOnProgress: true,
          onprogress: (progress) => {
            const total = progress.total ? `/${progress.total}` : "";
            onProgress?.(
              `${progress.progress}${total}${progress.message ? ` ${progress.message}` : ""}`,
            );
          },
        },
      )) as CallToolResult;
    },
    close: () => client.close().catch(() => {}),
  };
}

function connectError(url: string, error: unknown): Error {
  const message = errorMessage(error);
  if (/\b401\b|needs a key|not valid/i.test(message)) {
    return new Error(`the gateway at ${url} needs a valid key: pass --key or set MCP_GATEWAY_KEY`);
  }
  return new Error(`cannot reach the gateway at ${url}: ${message}`);
}

/** The gateway of the config, in this process: its meta tools answer as they would over MCP. */
async function startInProcess(config: ResolvedConfig): Promise<Session> {
  const [{ localGateway }, { META_TOOLS_BY_NAME }, { errorResult }] = await Promise.all([
    import("../local-gateway.ts"),
    import("../../meta/tools.ts"),
    import("../../meta/types.ts"),
  ]);
  const { gateway } = await localGateway(config);
  await gateway.start();
  const controller = new AbortController();
  return {
    async call(name, args, onProgress) {
      const tool = META_TOOLS_BY_NAME.get(name)!;
      try {
        return await tool.handle(args, {
          gateway,
          caller: LOCAL_ADMIN,
          // The name it gives a running gateway, so both ways learn as one client.
          client: "mcp-gateway-cli",
          signal: controller.signal,
          onProgress: (p) => onProgress?.(`${p.progress}${p.total ? `/${p.total}` : ""}`),
        });
      } catch (error) {
        return errorResult(error);
      }
    },
    async close() {
      controller.abort();
      await gateway.close();
    },
  };
}

async function withSession<T>(
  args: ConnectOptions,
  run: (session: Session) => Promise<T>,
): Promise<T> {
  const session = await openSession(args);
  try {
    return await run(session);
  } finally {
    await session.close();
  }
}

interface Match {
  server: string;
  tool: string;
  description: string;
  score: number;
}

const searchCommand = defineCommand({
  ...toolsSearchSpec,
  async run({ args }) {
    await runAction(async () => {
      applyLogArgs(args);
      const limit = args.limit === undefined ? undefined : Number(args.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 25)) {
        throw new Error(`--limit must be a whole number from 1 to 25, got ${args.limit}`);
      }
      const request: JsonObject = { query: args.query };
      if (limit !== undefined) request.limit = limit;
      if (args.server) request.server = args.server;
      const result = await withSession(args, (s) => s.call("gateway_search_tools", request));
      if (result.isError) throw new Error(textOf(result));
      const { matches, note } = result.structuredContent as { matches: Match[]; note?: string };
      // Backends still starting past meta_mcp.discovery_wait: say so rather than omit them.
      if (note) logger.warn(note);
      if (args.json) {
        process.stdout.write(`${JSON.stringify(result.structuredContent, null, 2)}\n`);
        return;
      }
      if (!matches.length) logger.warn(`no tool matches "${args.query}"`);
      const names = matches.map((m) => `${m.server}:${m.tool}`);
      const width = Math.max(0, ...names.map((name) => name.length));
      matches.forEach((match, i) => {
        const line = (match.description.split("\n")[0] ?? "").trim();
        const summary = line.length > 100 ? `${line.slice(0, 99)}…` : line;
        process.stdout.write(`${names[i]!.padEnd(width)}  ${match.score.toFixed(2)}  ${summary}\n`);
      });
    });
  },
});

const callCommand = defineCommand({
  ...toolsCallSpec,
  async run({ args }) {
    await runAction(async () => {
      applyLogArgs(args);
      const toolArgs = await parseArgs(args.args);
      const progress = (text: string) => process.stderr.write(`progress: ${text}\n`);
      const result = await withSession(args, (s) =>
        s.call(
          "gateway_invoke",
          { server: args.server, tool: args.tool, arguments: toolArgs },
          progress,
        ),
      );
      if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (!result.isError) process.stdout.write(renderResult(result));
      if (result.isError) throw new Error(textOf(result) || `${args.server}:${args.tool} failed`);
    });
  },
});

async function parseArgs(text: string | undefined): Promise<JsonObject> {
  if (text === undefined) return {};
  const source = text === "-" ? await readStdin() : text;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new Error(
      `--args is not valid JSON (${errorMessage(error)}); pass an object like '{"path":"/tmp"}'`,
    );
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`--args must be a JSON object like '{"path":"/tmp"}'`);
  }
  return value as JsonObject;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Text blocks as they are; anything else (images, resources) as one line of JSON each. */
function renderResult(result: CallToolResult): string {
  const parts = (result.content ?? []).map((block) =>
    block.type === "text" ? block.text : JSON.stringify(block),
  );
  if (!parts.length && result.structuredContent !== undefined) {
    parts.push(JSON.stringify(result.structuredContent, null, 2));
  }
  return parts.map((part) => (part.endsWith("\n") ? part : `${part}\n`)).join("");
}

function textOf(result: CallToolResult): string {
  const block = result.content?.find((b) => b.type === "text");
  return block && block.type === "text" ? block.text : "";
}

export default defineCommand({
  meta: toolsSpec.meta,
  subCommands: { search: searchCommand, call: callCommand, eval: evalCommand },
});
