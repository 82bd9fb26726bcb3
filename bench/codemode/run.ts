#!/usr/bin/env bun
/**
 * Code mode against step-by-step tool calls, on 33 multi-step tasks over local servers.
 *
 *   bun bench/codemode/run.ts [--json]
 *
 * Each task's reference solution (bench/codemode/tasks.ts) runs twice through a real gateway over
 * HTTP: step by step, as a model using gateway_search_tools + gateway_invoke would (one round trip
 * per call, every result read into its context), and as one gateway_execute script after the same
 * searches (format: "typescript"). Counted per task: round trips, o200k tokens through the model's
 * context (what it writes: arguments, scripts; what it reads: the text of every result), and wall
 * time of the calls (model think time excluded). Both ways must give the same answer.
 *
 * Then the sandbox's own cost, in process: a fresh context running `return 1` (p50 of 200), and
 * the time one tool call adds inside a script over the same call through gateway_invoke's handler
 * (500 calls to server-everything's echo, best of 7 rounds each way).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { runIsolated } from "../../src/codemode/runner.ts";
import { runScript } from "../../src/codemode/sandbox.ts";
import { loadConfig } from "../../src/config/load.ts";
import { LOCAL_ADMIN } from "../../src/gateway/caller.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { setLogLevel } from "../../src/logger.ts";
import { execute, toScriptValue } from "../../src/meta/execute.ts";
import { invoke } from "../../src/meta/invoke.ts";
import { PREAMBLE, TASKS } from "./tasks.ts";

setLogLevel("error");
const ROOT = join(import.meta.dir, "../..");
const NODE_MODULES = join(ROOT, "node_modules/@modelcontextprotocol");
const asJson = process.argv.includes("--json");

// --- data: a folder of logs, notes, sources and orders; a graph of repos, issues and people ---
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
const REPOS = ["atlas", "beacon", "cinder", "delta", "ember", "fjord", "garnet", "harbor"];
const WORDS = "gateway request backend timeout retry cache session token index search deadline"
  .split(" ")
  .concat("fetch( queue worker schema handler stream buffer".split(" "));

function makeData(): string {
  const dir = mkdtempSync(join(tmpdir(), "bench-codemode-"));
  const sentence = () => Array.from({ length: 6 + Math.floor(random() * 8) }, () => pick(WORDS));
  const write = (folder: string, name: string, lines: string[]) => {
    mkdirSync(join(dir, folder), { recursive: true });
    writeFileSync(join(dir, folder, name), lines.join("\n"));
  };
  for (let i = 1; i <= 10; i++) {
    const n = 20 + Math.floor(random() * 200);
    write(
      "logs",
      `service-${i}.log`,
      Array.from(
        { length: n },
        (_, j) =>
          `2026-12-0${1 + (j % 7)} ${pick(["INFO", "INFO", "WARN", "ERROR"])} ${sentence().join(" ")}`,
      ),
    );
  }
  for (let i = 1; i <= 8; i++) {
    const n = 5 + Math.floor(random() * 40);
    write(
      "notes",
      `note-${i}.md`,
      [`# Note ${i}: ${sentence().slice(0, 4).join(" ")}`].concat(
        Array.from(
          { length: n },
          () => `${random() < 0.2 ? "TODO " : "- "}${sentence().join(" ")}`,
        ),
      ),
    );
  }
  for (const repo of REPOS) {
    const n = 10 + Math.floor(random() * 60);
    write(
      "src",
      `${repo}.ts`,
      [`// ${repo}: ${sentence().slice(0, 5).join(" ")}`].concat(
        Array.from({ length: n }, (_, j) =>
          random() < 0.3
            ? `export function f${j}() { return ${pick(WORDS)}; }`
            : `  ${sentence().join(" ")};`,
        ),
      ),
    );
  }
  for (let i = 1; i <= 4; i++) {
    const rows = Array.from({ length: 6 + Math.floor(random() * 10) }, () => ({
      item: pick(["cable", "switch", "router", "rack", "fan", "psu", "sfp"]),
      customer: pick(["acme", "globex", "initech", "umbrella", "hooli"]),
      price: Math.round(random() * 500) / 2,
      qty: 1 + Math.floor(random() * 9),
    }));
    mkdirSync(join(dir, "orders"), { recursive: true });
    writeFileSync(join(dir, "orders", `orders-${i}.json`), JSON.stringify(rows, null, 2));
  }
  return dir;
}

function makeGraph() {
  const entities: { name: string; entityType: string; observations: string[] }[] = [];
  const relations: { from: string; to: string; relationType: string }[] = [];
  entities.push({ name: "me", entityType: "person", observations: ["the user"] });
  for (const repo of REPOS) {
    entities.push({
      name: repo,
      entityType: "repo",
      observations: [`language: ${pick(["ts", "rust", "go"])}`],
    });
    if (random() < 0.6) relations.push({ from: "me", to: repo, relationType: "starred" });
  }
  let number = 1;
  for (const repo of REPOS) {
    for (let i = 0; i < 2 + Math.floor(random() * 5); i++) {
      entities.push({
        name: `${repo}#${number++}`,
        entityType: "issue",
        observations: [
          `repo: ${repo}`,
          `state: ${pick(["open", "open", "closed"])}`,
          `label: ${pick(["bug", "bug", "feature", "docs"])}`,
          `title: ${Array.from({ length: 5 }, () => pick(WORDS)).join(" ")}`,
        ],
      });
    }
  }
  for (const person of ["ana", "bo", "chen", "dara", "eli", "fay"]) {
    entities.push({
      name: person,
      entityType: "person",
      observations: [
        `skill: ${pick(["rust", "go", "ts"])}`,
        `skill: ${pick(["rust", "sql", "css"])}`,
      ],
    });
    relations.push({ from: person, to: pick(REPOS), relationType: "works_on" });
  }
  return { entities, relations };
}

// --- the gateway and a client ---
const dir = makeData();
const folder = mkdtempSync(join(tmpdir(), "bench-codemode-gw-"));
const configFile = join(folder, "gateway.yaml");
writeFileSync(
  configFile,
  `capabilities: { enabled: false }
code_mode: { enabled: true, max_calls: 200, timeout: 60s, result_handle_threshold: 100000 }
backends:
  files: { command: node, args: ["${NODE_MODULES}/server-filesystem/dist/index.js", "${dir}"] }
  memory:
    command: node
    args: ["${NODE_MODULES}/server-memory/dist/index.js"]
    env: { MEMORY_FILE_PATH: "${join(folder, "memory.jsonl")}" }
  everything: { command: node, args: ["${NODE_MODULES}/server-everything/dist/index.js", "stdio"] }
`,
);
const running = await runGateway({
  config: loadConfig({ path: configFile }),
  port: 0,
  memoryState: true,
});
const gateway = running.gateway;
for (
  let i = 0;
  i < 300 && ["files", "memory", "everything"].some((s) => !gateway.index.tools(s).length);
  i++
) {
  await Bun.sleep(100);
}
const client = new Client({ name: "bench-codemode", version: "1" }, { capabilities: {} });
await client.connect(
  new StreamableHTTPClientTransport(new URL(`${(running as { url: string }).url}/mcp`)),
);
const graph = makeGraph();
await client.callTool({
  name: "gateway_invoke",
  arguments: { server: "memory", tool: "create_entities", arguments: { entities: graph.entities } },
});
await client.callTool({
  name: "gateway_invoke",
  arguments: {
    server: "memory",
    tool: "create_relations",
    arguments: { relations: graph.relations },
  },
});

const tokens = (value: unknown) =>
  countTokens(typeof value === "string" ? value : JSON.stringify(value));
const resultText = (result: { content?: unknown }) =>
  ((result.content ?? []) as { type: string; text?: string }[])
    .filter((block) => block.type === "text")
    .map((block) => block.text)
    .join("\n");

interface Way {
  trips: number;
  tokens: number;
  ms: number;
  answer: unknown;
}

const AsyncFunction = (async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

/** Searches for the task's tools, as either way starts: counted as round trips and tokens. */
async function searches(task: (typeof TASKS)[number], format: "json" | "typescript", way: Way) {
  for (const [server, , query] of task.find) {
    const args = { query, server, limit: 3, ...(format === "typescript" ? { format } : {}) };
    const result = await client.callTool({ name: "gateway_search_tools", arguments: args });
    way.trips++;
    way.tokens += tokens(args) + tokens(resultText(result));
  }
}

async function stepByStep(task: (typeof TASKS)[number]): Promise<Way> {
  const way: Way = { trips: 0, tokens: 0, ms: 0, answer: undefined };
  const started = performance.now();
  await searches(task, "json", way);
  const call = async (server: string, tool: string, args: unknown) => {
    const request = { server, tool, arguments: args };
    const result = await client.callTool({ name: "gateway_invoke", arguments: request });
    way.trips++;
    way.tokens += tokens(request) + tokens(resultText(result));
    return toScriptValue(result as never);
  };
  const tools = new Proxy(
    {},
    {
      get: (_, server: string) =>
        new Proxy({}, { get: (_, tool: string) => (a: unknown) => call(server, tool, a) }),
    },
  );
  way.answer = await new AsyncFunction("tools", "DIR", PREAMBLE + task.script)(tools, dir);
  // The model's final answer is what it would say; counted the same way in both columns.
  way.tokens += tokens(way.answer ?? null);
  way.ms = performance.now() - started;
  return way;
}

async function codeMode(task: (typeof TASKS)[number]): Promise<Way> {
  const way: Way = { trips: 0, tokens: 0, ms: 0, answer: undefined };
  const started = performance.now();
  await searches(task, "typescript", way);
  const code = `const DIR = ${JSON.stringify(dir)};\n${PREAMBLE}${task.script}`;
  const result = await client.callTool({ name: "gateway_execute", arguments: { code } });
  way.trips++;
  if (result.isError) throw new Error(`${task.name}: ${resultText(result)}`);
  way.tokens += tokens({ code }) + tokens(resultText(result));
  way.answer = (result.structuredContent as { result: unknown }).result;
  way.tokens += tokens(way.answer ?? null);
  way.ms = performance.now() - started;
  return way;
}

const rows: { task: string; step: Way; code: Way }[] = [];
for (const task of TASKS) {
  const step = await stepByStep(task);
  const code = await codeMode(task);
  if (JSON.stringify(step.answer) !== JSON.stringify(code.answer)) {
    throw new Error(
      `${task.name}: the two ways disagree\n${JSON.stringify(step.answer)}\n${JSON.stringify(code.answer)}`,
    );
  }
  rows.push({ task: task.name, step, code });
}

// --- the sandbox's own cost, in process ---
const limits = {
  timeoutMs: 10_000,
  memoryBytes: 32 << 20,
  stackBytes: 256 << 10,
  maxCalls: 10_000,
  maxOutput: 1 << 20,
};
const never = new AbortController().signal;
const quiet = { call: async () => null };
await runScript("return 1", limits, quiet, never); // loads QuickJS
const starts: number[] = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  await runScript("return 1", limits, quiet, never);
  starts.push(performance.now() - t);
}
// The same through a warm sandbox worker, as gateway_execute runs it (messages included).
await runIsolated("return 1", limits, quiet, never);
const workerStarts: number[] = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  await runIsolated("return 1", limits, quiet, never);
  workerStarts.push(performance.now() - t);
}
const CALLS = 500;
const context = { gateway, caller: LOCAL_ADMIN, signal: never };
const echo = { server: "everything", tool: "echo", arguments: { message: "hi" } };
const direct = async () => {
  const t = performance.now();
  for (let i = 0; i < CALLS; i++) await invoke.handle(echo, context);
  return (performance.now() - t) / CALLS;
};
const scripted = async () => {
  const t = performance.now();
  await execute.handle(
    { code: `for (let i = 0; i < ${CALLS}; i++) await tools.everything.echo({ message: "hi" });` },
    {
      ...context,
      gateway: {
        ...gateway,
        config: { ...gateway.config, code_mode: { ...gateway.config.code_mode, max_calls: CALLS } },
      } as never,
    },
  );
  return (performance.now() - t) / CALLS;
};
await direct();
const perCall: { direct: number; scripted: number }[] = [];
for (let round = 0; round < 5; round++)
  perCall.push({ direct: await direct(), scripted: await scripted() });

await client.close();
await running.stop();

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sum = (pick: (row: (typeof rows)[number]) => number) =>
  rows.reduce((total, row) => total + pick(row), 0);
const startMs = median(starts);
// Best of the rounds, each side: on a shared machine the slowest rounds measure the neighbours.
const best = (values: number[]) => Math.min(...values);
const addedMs = best(perCall.map((p) => p.scripted)) - best(perCall.map((p) => p.direct));
const summary = {
  tasks: rows.length,
  stepByStep: {
    trips: sum((r) => r.step.trips),
    tokens: sum((r) => r.step.tokens),
    ms: Math.round(sum((r) => r.step.ms)),
  },
  codeMode: {
    trips: sum((r) => r.code.trips),
    tokens: sum((r) => r.code.tokens),
    ms: Math.round(sum((r) => r.code.ms)),
  },
  sandbox: {
    startMsP50: Number(startMs.toFixed(2)),
    workerStartMsP50: Number(median(workerStarts).toFixed(2)),
    invokeMsPerCall: Number(best(perCall.map((p) => p.direct)).toFixed(3)),
    addedMsPerCall: Number(addedMs.toFixed(3)),
  },
};
if (asJson) {
  console.log(JSON.stringify({ summary, rows }, null, 2));
} else {
  console.log("| task | round trips (step / code) | tokens (step / code) | ms (step / code) |");
  console.log("|---|---|---|---|");
  for (const { task, step, code } of rows) {
    console.log(
      `| ${task} | ${step.trips} / ${code.trips} | ${step.tokens} / ${code.tokens} | ${Math.round(step.ms)} / ${Math.round(code.ms)} |`,
    );
  }
  const s = summary;
  console.log(
    `| **all ${s.tasks}** | **${s.stepByStep.trips} / ${s.codeMode.trips}** | **${s.stepByStep.tokens} / ${s.codeMode.tokens}** | **${s.stepByStep.ms} / ${s.codeMode.ms}** |`,
  );
  console.log(
    `\nsandbox: start p50 ${s.sandbox.startMsP50} ms (a context), ${s.sandbox.workerStartMsP50} ms (a script in a warm worker, return 1); a tool call through gateway_invoke's handler ${s.sandbox.invokeMsPerCall} ms, inside a script +${s.sandbox.addedMsPerCall} ms`,
  );
}
process.exit(0);
