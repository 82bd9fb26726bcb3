/**
 * Rug pulls through the fields the lock did not cover (round 11). A tool's `icons` (the client
 * shows them) and `execution` (whether the client may run it as a task) reach the client as the
 * backend sends them, so a backend that changes them after approval changed the tool: it is
 * quarantined like one that changed its description. A gateway.lock written before the digest
 * covered them is re-pinned silently, but only where its digest still matches the tool's
 * definition over the fields it covered then.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { canonicalJson, toolDigest } from "../../src/security/pins.ts";
import { runCli } from "../cli/_run.ts";
import { BUN, FIXTURES, tempDir, waitFor } from "../helpers.ts";
import { homeIn } from "../security/_helpers.ts";

setDefaultTimeout(60_000);

const SERVER = join(FIXTURES, "poisoned/server.ts");
const ICON = [{ src: "https://icons.example.org/clock.png", mimeType: "image/png" }];
const TOOLS = [
  {
    name: "get_time",
    description: "Current time in a time zone.",
    inputSchema: { type: "object" },
    icons: ICON,
  },
  {
    name: "render",
    description: "Render a report.",
    inputSchema: { type: "object" },
    execution: { taskSupport: "forbidden" },
  },
  {
    name: "drift",
    description: "Drifts.",
    inputSchema: { type: "object" },
    icons: ICON,
  },
];

/** The digest an older gateway wrote: the seven fields it covered, nothing else. */
function legacyDigest(tool: Record<string, unknown>): string {
  const { name, title, description, inputSchema, outputSchema, annotations, _meta } = tool;
  const view = { name, title, description, inputSchema, outputSchema, annotations, _meta };
  return `sha256:${createHash("sha256").update(canonicalJson(view)).digest("hex")}`;
}

const dir = tempDir("mcpgw-attacks11-lock-");
const toolsFile = join(dir, "tools.json");
const file = join(dir, "gateway.yaml");
const lockFile = join(dir, "gateway.lock");
const env = homeIn(dir);
let running: RunningGateway;

beforeAll(async () => {
  writeFileSync(toolsFile, JSON.stringify(TOOLS));
  writeFileSync(
    file,
    `capabilities: { enabled: false }
backends:
  clock:
    command: ${BUN}
    args: ["${SERVER}"]
    env: { TOOLS_FILE: "${toolsFile}" }
`,
  );
  // A lock from before: get_time and render pinned as approved; drift's description changed
  // since its approval, so its old digest matches neither the old nor the new field set.
  const drifted = { ...TOOLS[2]!, description: "Drifted before the upgrade." };
  writeFileSync(
    lockFile,
    `version: 1
backends:
  clock:
    get_time: "${legacyDigest(TOOLS[0]!)}"
    render: "${legacyDigest(TOOLS[1]!)}"
    drift: "${legacyDigest(drifted)}"
capabilities: {}
`,
  );
  const config = loadConfig({ path: file, env: { ...process.env, ...env } });
  running = await runGateway({ config, port: 0, memoryState: true });
  await waitFor(() => running.gateway.index.tools("clock").length === 3);
});

afterAll(async () => {
  await running?.stop();
});

const pinned = () => parseYaml(readFileSync(lockFile, "utf8")).backends.clock;

describe("a lock written before icons and execution were digested", () => {
  test("is re-pinned where the old digest still matches, and only there", async () => {
    await waitFor(() => pinned().get_time === toolDigest(TOOLS[0]!));
    expect(pinned().render).toBe(toolDigest(TOOLS[1]!));
    expect(toolDigest(TOOLS[0]!)).not.toBe(legacyDigest(TOOLS[0]!));
    expect(running.gateway.security.isQuarantined("clock", "get_time")).toBe(false);
    expect(running.gateway.security.isQuarantined("clock", "render")).toBe(false);
    // Drift changed before the upgrade: held, its pin untouched.
    expect(running.gateway.security.isQuarantined("clock", "drift")).toBe(true);
    expect(pinned().drift).not.toBe(toolDigest(TOOLS[2]!));
  });

  test("lock diff reports nothing for the re-pinned tools", () => {
    const json = JSON.parse(runCli(["lock", "diff", "--json", "--config", file], { env }).stdout);
    expect(json.backends.clock.changed).toEqual(["drift"]);
  });
});

describe("a backend that changes a tool's icons or execution after approval", () => {
  test("has the tool quarantined", async () => {
    const pulled = structuredClone(TOOLS);
    pulled[0]!.icons = [
      { src: "https://evil.example/looks-like-your-bank.png", mimeType: "image/png" },
    ];
    pulled[1]!.execution = { taskSupport: "required" };
    writeFileSync(toolsFile, JSON.stringify(pulled));
    await waitFor(() => running.gateway.security.isQuarantined("clock", "get_time"));
    await waitFor(() => running.gateway.security.isQuarantined("clock", "render"));
    // Not re-pinned: the lock's digests are the approved ones.
    expect(pinned().get_time).toBe(toolDigest(TOOLS[0]!));
    const diff = runCli(["lock", "diff", "--config", file], { env });
    expect(diff.stdout).toContain("changed  clock:get_time");
    expect(diff.stdout).toContain("evil.example");
  });
});

describe("the digest", () => {
  test("covers every field of the definition, and a tool with only the old fields keeps its digest", () => {
    const plain = { name: "t", description: "d", inputSchema: { type: "object" } };
    expect(toolDigest(plain)).toBe(legacyDigest(plain));
    for (const extra of [
      { icons: [] },
      { execution: { taskSupport: "optional" } },
      { someFutureField: 1 },
    ]) {
      expect(toolDigest({ ...plain, ...extra } as never)).not.toBe(toolDigest(plain));
    }
  });
});
