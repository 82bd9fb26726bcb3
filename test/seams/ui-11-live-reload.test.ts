import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { BUN, FIXTURE_SERVER, waitFor, writeConfig } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";

// An operator's dashboard is open (its live feed streaming) when a reload of the config takes
// its admin away and scopes its key to fx:echo. From then on the feed must show what the key
// may now see: its own calls to fx:echo, not every key's calls to every backend.
const ADMIN = "mgw_admin-ui11-live-reload-key-0123456789abcdefgh";
const OP = "mgw_op-ui11-live-reload-key-0123456789abcdefghijkl";

const yaml = (op: string) => `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${ADMIN}", admin: true }
    - { name: op, key: "${OP}", ${op} }
backends:
  fx: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
  other: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
`;

let file: string;
let gateway: RunningGateway & { url: string };
beforeAll(async () => {
  file = writeConfig(yaml("admin: true"));
  const config = loadConfig({ path: file });
  gateway = (await runGateway({ config, port: 0, memoryState: true, watch: false })) as never;
  await waitFor(
    () => gateway.gateway.index.tools("fx").length && gateway.gateway.index.tools("other").length,
  );
});
afterAll(() => gateway.stop());

async function invoke(key: string, server: string, message: string) {
  const session = await connectWithKey(gateway.url, key);
  try {
    await meta(session.client, "gateway_invoke", { server, tool: "echo", arguments: { message } });
  } finally {
    await session.close();
  }
}

test("a key demoted by a reload stops seeing other keys' calls on its open live feed", async () => {
  const login = await fetch(`${gateway.url}/ui/login`, {
    method: "POST",
    body: new URLSearchParams({ key: OP }),
    redirect: "manual",
  });
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  const live = await fetch(`${gateway.url}/ui/api/live`, { headers: { cookie } });
  expect(live.status).toBe(200);
  const reader = live.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const until = async (wanted: string) => {
    while (!text.includes(wanted)) {
      const next = await reader.read();
      if (next.done) throw new Error(`the feed ended before ${wanted}:\n${text}`);
      text += next.value;
    }
  };
  await until("event: hello");

  writeFileSync(file, yaml('allowed_tools: ["fx:echo"]'));
  await gateway.gateway.operator.reloadConfig!("test");
  // The key now reaches fx:echo only (the API already says so).
  const status = await fetch(`${gateway.url}/api/status`, { headers: { cookie } });
  expect(((await status.json()) as { caller: { admin: boolean } }).caller.admin).toBe(false);

  await invoke(ADMIN, "other", "admins-call-to-other");
  await invoke(ADMIN, "fx", "admins-call-to-fx");
  await invoke(OP, "fx", "ops-own-call");
  // The op's own call arrives; the admin's two calls, made before it, never do.
  await until('"caller":"key:op","durationMs"');
  await reader.cancel().catch(() => {});
  const calls = text.split("\n\n").filter((block) => block.startsWith("event: call"));
  expect(calls.join("\n")).not.toContain("key:admin");
  expect(calls.join("\n")).not.toContain('"server":"other"');
});
