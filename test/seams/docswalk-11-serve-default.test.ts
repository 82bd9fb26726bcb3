import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { runCliAsync } from "../cli/_run.ts";
import { BUN, FIXTURE_SERVER, freePort, ROOT, tempDir, waitFor } from "../helpers.ts";

setDefaultTimeout(60_000);

const children: Bun.Subprocess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill("SIGTERM");
    await child.exited;
  }
});

const health = async (port: number) =>
  (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
    backends: Record<string, { state: string }>;
  };

// README: `npm start` serves the built-in default config; `mcp-gateway add NAME -- CMD ARGS...`
// adds a backend; "editing gateway.yaml applies at once". Followed in that order, the add wrote
// ~/.config/mcp-gateway/gateway.yaml and the running gateway, which had no file to watch, never
// served it (until a restart nothing said it needed).
test("a gateway started without a config serves the config that add writes afterwards", async () => {
  const home = tempDir("mcpgw-home-");
  const port = await freePort();
  const env = {
    HOME: home,
    PATH: process.env.PATH!,
    MCP_GATEWAY_PORT: String(port),
    NO_COLOR: "1",
  };
  const serve = Bun.spawn([BUN, join(ROOT, "src/main.ts"), "serve"], {
    cwd: home,
    env,
    stdout: "ignore",
    stderr: "pipe",
  });
  children.push(serve);
  await waitFor(async () => Object.keys((await health(port)).backends).length === 1, 30_000);
  const added = await runCliAsync(["add", "fixture", "--", BUN, FIXTURE_SERVER], { env });
  expect(added.code).toBe(0);
  expect(added.stderr).toContain(join(home, ".config/mcp-gateway/gateway.yaml"));
  await waitFor(async () => (await health(port)).backends.fixture?.state === "ready", 30_000);
  // And from then on the file is watched like one named at start: a second add applies too.
  const again = await runCliAsync(["add", "second", "--", BUN, FIXTURE_SERVER], { env });
  expect(again.code).toBe(0);
  await waitFor(async () => (await health(port)).backends.second?.state === "ready", 30_000);
});
