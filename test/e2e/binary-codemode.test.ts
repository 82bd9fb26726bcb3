import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import {
  builtBinary,
  type ConnectedClient,
  EVERYTHING,
  freePort,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";

// Code mode in the compiled binary: QuickJS's WebAssembly must be embedded (bun build --compile
// leaves a plain .wasm behind unless it is imported as a file), so a script must run there too.
const work = tempDir("mcpgw-bin-code-");
let server: ReturnType<typeof Bun.spawn>;
let session: ConnectedClient;

beforeAll(async () => {
  const binary = builtBinary();
  const port = await freePort();
  const config = writeConfig(`
code_mode: { enabled: true }
backends:
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
`);
  server = Bun.spawn([binary, "serve", "--config", config, "--port", String(port)], {
    cwd: work,
    env: { ...process.env, XDG_STATE_HOME: join(work, "state") },
    stdout: "pipe",
    stderr: "pipe",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok, 15_000);
  await waitFor(
    async () => (await (await fetch(`${url}/health`)).json()).backends.everything.tools > 0,
  );
  session = await connectWithKey(url, undefined, "/mcp?codemode=search_and_execute");
}, 60_000);

afterAll(async () => {
  await session?.close();
  server?.kill("SIGKILL");
});

test("the binary runs a TypeScript gateway_execute script that calls a backend tool", async () => {
  const out = await meta(session.client, "gateway_execute", {
    code: `const words: string[] = ["from", "the", "binary"];
const echoed = await tools.everything.echo({ message: words.join(" ") });
return { echoed, loop: await (async () => { try { while (true) {} } catch {} })() };`,
    timeout_ms: 500,
  });
  expect(out.text).toStartWith("[CODE_LIMIT]");
  const ok = await meta(session.client, "gateway_execute", {
    code: `const n: number = 6;\nreturn [await tools.everything.echo({ message: "from the binary" }), n * 7];`,
  });
  expect(ok.data.result).toEqual(["Echo: from the binary", 42]);
});
