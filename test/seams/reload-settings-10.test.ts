/**
 * Settings that used to wait for a restart (round 10). A reload applies `search` and every
 * `security` setting at once (the lock file too), and a tightened security setting holds the
 * sessions already open. The settings that cannot change while running (`server.*`,
 * `state_dir`, `capabilities.name`) are named in the log, in the reload's answer and in
 * /health at every reload until a restart, while the values the gateway started with stay in
 * force: never silently.
 */
import { afterEach, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Client } from "@modelcontextprotocol/client";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { logger } from "../../src/logger.ts";
import { toolDigest, writeLock } from "../../src/security/pins.ts";
import {
  BUN,
  type ConnectedClient,
  cleanupsAfterAll,
  connectHttp,
  FIXTURES,
  firstText,
  startFromFile,
  waitFor,
  writeConfig,
} from "../helpers.ts";

setDefaultTimeout(60_000);
const cleanups = cleanupsAfterAll();

const LISTED = join(FIXTURES, "servers/listed10.ts");
const TOOLS = [
  { name: "read_file", description: "Read the contents of a file from disk" },
  { name: "purge_files", description: "Permanently delete every file in a folder" },
];
const BASE = `capabilities: { enabled: false }
meta_mcp: { operator_tools: [gateway_reload_config] }
backends:
  files: { command: ${BUN}, args: ["${LISTED}"], env: { TOOLS: ${JSON.stringify(JSON.stringify(TOOLS))} } }
`;

type Running = RunningGateway & { url: string };
type Summary = {
  restartRequired: string[];
  restartNote?: string;
};

let file: string;
let gateway: Running;
let session: ConnectedClient;

beforeEach(async () => {
  file = writeConfig(BASE);
  gateway = await startFromFile(file);
  await waitFor(() => gateway.gateway.index.tools("files").length > 0);
  session = await connectHttp(gateway.url);
});
afterEach(async () => {
  await session.close();
  await gateway.stop();
});

/** Writes `extra` after the base config and reloads through `POST /api/reload`. */
async function reload(extra: string): Promise<Summary> {
  writeFileSync(file, BASE + extra);
  const response = await fetch(`${gateway.url}/api/reload`, { method: "POST" });
  const body = (await response.json()) as Summary & { error?: string };
  expect({ status: response.status, error: body.error }).toEqual({ status: 200, error: undefined });
  return body;
}

async function search(client: Client, query: string): Promise<string[]> {
  const result = await client.callTool({ name: "gateway_search_tools", arguments: { query } });
  const { matches } = JSON.parse(firstText(result)) as { matches: { tool: string }[] };
  return matches.map((match) => match.tool);
}

async function invoke(client: Client, tool: string): Promise<string> {
  const result = await client.callTool({
    name: "gateway_invoke",
    arguments: { server: "files", tool, arguments: {} },
  });
  return firstText(result);
}

describe("search settings, reloaded", () => {
  test("tool_hints rank at once, and feedback turns off at once", async () => {
    expect(await search(session.client, "zorblax the archive")).not.toContain("purge_files");
    const summary = await reload(`search:
  feedback: false
  tool_hints: { "files:purge_files": ["zorblax the archive"] }
`);
    expect(summary.restartRequired).toEqual([]);
    expect((await search(session.client, "zorblax the archive"))[0]).toBe("purge_files");
    expect(gateway.gateway.feedback).toBeUndefined();
    // And back: the hint goes, feedback learns again.
    expect((await reload("")).restartRequired).toEqual([]);
    expect(await search(session.client, "zorblax the archive")).not.toContain("purge_files");
    expect(gateway.gateway.feedback).toBeDefined();
  });
});

describe("security settings tightened by a reload hold sessions already open", () => {
  test("a lock file taken on refuses the tool that differs from it, in an open session", async () => {
    expect(await invoke(session.client, "purge_files")).toBe("called purge_files");
    // The lock approved another definition of purge_files: the live one is a rug pull.
    const lock = join(dirname(file), "pinned.lock");
    const approved = TOOLS.map((tool) => ({ ...tool, inputSchema: { type: "object" } }));
    approved[1] = { ...approved[1]!, description: "Delete one file" };
    writeLock(lock, {
      version: 1,
      backends: { files: Object.fromEntries(approved.map((t) => [t.name, toolDigest(t)])) },
      capabilities: {},
    });
    const summary = await reload(`security: { lock_file: pinned.lock }\n`);
    expect(summary.restartRequired).toEqual([]);
    expect(await invoke(session.client, "purge_files")).toStartWith("[TOOL_QUARANTINED]");
    expect(await invoke(session.client, "read_file")).toBe("called read_file");
    // Turned off again: the tool is callable again.
    await reload(`security: { lock_file: false }\n`);
    expect(await invoke(session.client, "purge_files")).toBe("called purge_files");
  });

  test("a sandbox cap set by reload counts the calls the session made before it", async () => {
    for (let i = 0; i < 3; i++) {
      expect(await invoke(session.client, "read_file")).toBe("called read_file");
    }
    await reload(`security: { sandbox: { max_calls: 2 } }\n`);
    expect(await invoke(session.client, "read_file")).toStartWith("[SANDBOX_LIMIT]");
    // A new session starts its own count.
    const fresh = await connectHttp(gateway.url);
    cleanups.push(fresh.close);
    expect(await invoke(fresh.client, "read_file")).toBe("called read_file");
  });
});

describe("settings that need a restart", () => {
  test("are named in the answer, the tool's answer and /health, at every reload, and the running values stay", async () => {
    const port = gateway.gateway.config.server.port;
    const ttl = gateway.gateway.config.server.session_ttl;
    const summary = await reload(
      `server: { port: 39777, session_ttl: 5m }\nstate_dir: /tmp/elsewhere\n`,
    );
    expect(summary.restartRequired).toEqual(["server.port", "server.session_ttl", "state_dir"]);
    expect(summary.restartNote).toContain("only at a restart");
    expect(summary.restartNote).toContain("server.port");
    // The values the gateway started with are the ones in force.
    expect(gateway.gateway.config.server.port).toBe(port);
    expect(gateway.gateway.config.server.session_ttl).toBe(ttl);
    expect(gateway.gateway.config.state_dir).toBeUndefined();
    const health = async () =>
      (await (await fetch(`${gateway.url}/health`)).json()) as {
        restartRequired?: { settings: string[]; note: string };
      };
    expect((await health()).restartRequired?.settings).toEqual(summary.restartRequired);
    expect((await health()).restartRequired?.note).toContain("values it started with");
    // A later reload that changes something else still says so (the old one is not forgotten).
    const tool = await session.client.callTool({ name: "gateway_reload_config", arguments: {} });
    const answer = JSON.parse(firstText(tool)) as {
      restart_required: string[];
      restart_note: string;
    };
    expect(answer.restart_required).toEqual(["server.port", "server.session_ttl", "state_dir"]);
    expect(answer.restart_note).toContain("only at a restart");
    const again = await reload(
      `server: { port: 39777, session_ttl: 5m }\nstate_dir: /tmp/elsewhere\nsearch: { hints: false }\n`,
    );
    expect(again.restartRequired).toEqual(["server.port", "server.session_ttl", "state_dir"]);
    expect((await health()).restartRequired?.settings).toEqual(again.restartRequired);
    // The file back at the running values: nothing waits any more.
    expect((await reload("")).restartRequired).toEqual([]);
    expect((await health()).restartRequired).toBeUndefined();
  });

  test("and the log says which, and that the old value stays", async () => {
    const lines: string[] = [];
    const level = logger.level;
    const reporters = logger.options.reporters;
    logger.level = 3;
    logger.setReporters([{ log: (entry) => lines.push(entry.args.join(" ")) }]);
    let running: RunningGateway | undefined;
    try {
      // Tagged loggers copy the reporters when made: this gateway is started after the swap.
      const own = writeConfig(BASE);
      running = await runGateway({
        config: loadConfig({ path: own }),
        port: 0,
        memoryState: true,
        watch: false,
      });
      writeFileSync(
        own,
        `${BASE}capabilities: { enabled: false, name: tools }\n`.replace(
          "capabilities: { enabled: false }\n",
          "",
        ),
      );
      const summary = await running.reload();
      expect(summary.restartRequired).toEqual(["capabilities.name"]);
      const said = lines.find((line) => line.includes("only at a restart"));
      expect(said).toContain("capabilities.name");
      expect(said).toContain("values it started with");
      expect(running.gateway.config.capabilities.name).toBe("capabilities");
    } finally {
      await running?.stop();
      logger.setReporters(reporters);
      logger.level = level;
    }
  });
});
