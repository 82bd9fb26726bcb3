/**
 * Reload × `capabilities`: the folders, the built-in catalog switch, the network guard and the
 * response cap apply at once (they were restart-only: a user who listed a new folder and
 * reloaded saw nothing change and only a warning). The new folders are watched and the old
 * ones no longer; the backend's name and whether it runs still wait for a restart, and say so.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { freePort, tempDir, waitFor } from "../helpers.ts";

setDefaultTimeout(30_000);

const root = tempDir("mcpgw-reload-caps-");
const first = join(root, "first");
const second = join(root, "second");
const file = join(root, "gateway.yaml");
let gateway: RunningGateway & { url: string };

const capability = (name: string) => `fulcrum: "1.0"
name: ${name}
description: Looks up ${name.replaceAll("_", " ")} for a place.
schema:
  input: {type: object, properties: {place: {type: string}}}
providers:
  primary:
    service: rest
    config: {base_url: "https://api.example.org", path: /${name}, params: {q: "{place}"}}
`;

const yaml = (extra: string) => `
capabilities:
  builtin: false
  directories: [${extra}]
`;

const names = () => gateway.gateway.index.tools("capabilities").map((tool) => tool.name);

async function reload(): Promise<{ restartRequired: string[] }> {
  const response = await fetch(`${gateway.url}/api/reload`, { method: "POST" });
  expect(response.status).toBe(200);
  return (await response.json()) as { restartRequired: string[] };
}

beforeAll(async () => {
  mkdirSync(first);
  mkdirSync(second);
  writeFileSync(join(first, "tide.yaml"), capability("tide_times"));
  writeFileSync(join(second, "pollen.yaml"), capability("pollen_count"));
  writeFileSync(file, yaml(`"${first}"`));
  gateway = (await runGateway({
    config: loadConfig({ path: file }),
    port: await freePort(),
    memoryState: true,
  })) as RunningGateway & { url: string };
  await waitFor(() => names().includes("tide_times"));
});

afterAll(async () => {
  await gateway?.stop();
});

describe("reloading capabilities settings", () => {
  test("another folder is served and watched at once; the old one is no longer", async () => {
    writeFileSync(file, yaml(`"${second}"`));
    const summary = await reload();
    expect(summary.restartRequired).toEqual([]);
    await waitFor(() => names().includes("pollen_count"));
    expect(names()).not.toContain("tide_times");
    // The new folder is watched: a file added there appears without a reload...
    writeFileSync(join(second, "surf.yaml"), capability("surf_report"));
    await waitFor(() => names().includes("surf_report"), 10_000);
    // ...and one added to the old folder does not.
    writeFileSync(join(first, "snow.yaml"), capability("snow_depth"));
    await Bun.sleep(700);
    expect(names()).not.toContain("snow_depth");
  });

  test("the built-in catalog switched on by a reload is served", async () => {
    writeFileSync(file, yaml(`"${second}"`).replace("builtin: false", "builtin: true"));
    expect((await reload()).restartRequired).toEqual([]);
    await waitFor(() => names().length > 20);
    expect(names()).toContain("pollen_count");
  });

  test("the backend's name still waits for a restart and is named", async () => {
    writeFileSync(file, `${yaml(`"${second}"`)}  name: rest\n`);
    expect((await reload()).restartRequired).toEqual(["capabilities.name"]);
    expect(names()).toContain("pollen_count");
  });
});
