/**
 * Fallback providers (the original's `providers.fallback`) meet a POST. A provider that timed
 * out, or answered 500, may have done what the POST asked (charged the card, sent the message):
 * sending it again to the next provider would do it twice. Only a failure that says the API did
 * not act (429, 503, a refused connection) may move a non-idempotent call on. A 429's
 * Retry-After is told to the model, which would otherwise call again at once.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startUpstream, type Upstream } from "../capabilities/_upstream.ts";
import {
  type ConnectedClient,
  cleanupsAfterAll,
  connectHttp,
  firstText,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();
let primary: Upstream;
let backup: Upstream;
let session: ConnectedClient;

/** A POST capability with a primary and a backup provider (the same API on two hosts). */
const charge = (name: string, path: string, extra = "") => `fulcrum: "1.0"
name: ${name}
description: Charges a customer's card.
schema:
  input: { type: object, required: [amount], properties: { amount: { type: integer } } }
providers:
  primary:
    service: rest
    timeout: 1
    config: { method: POST, base_url: "${primary.origin}", path: "${path}" }
  backup:
    service: rest
    config: { method: POST, base_url: "${backup.origin}", path: "${path}" }
  fallback: [backup]
${extra}`;

const invoke = (tool: string) =>
  session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "capabilities", tool, arguments: { amount: 100 } },
  });
const at = (upstream: Upstream, path: string) =>
  upstream.requests.filter((request) => request.path === path).length;

beforeAll(async () => {
  primary = startUpstream(async (_request, url) => {
    if (url.pathname === "/slow") {
      await Bun.sleep(1500); // the charge went through, the answer came too late
      return Response.json({ charged: true });
    }
    if (url.pathname === "/broken") return new Response("internal error", { status: 500 });
    return new Response("slow down", { status: 429, headers: { "retry-after": "30" } });
  });
  backup = startUpstream(() => Response.json({ charged: true, by: "backup" }));
  cleanups.push(primary.stop, backup.stop);
  const dir = tempDir("capauthor-10-");
  writeFileSync(join(dir, "slow.yaml"), charge("charge_slow", "/slow"));
  writeFileSync(join(dir, "broken.yaml"), charge("charge_broken", "/broken"));
  writeFileSync(join(dir, "limited.yaml"), charge("charge_limited", "/limited"));
  writeFileSync(
    join(dir, "idem.yaml"),
    charge("charge_idempotent", "/broken", "metadata: { idempotent: true }"),
  );
  writeFileSync(
    join(dir, "alone.yaml"),
    `name: charge_limited_alone
description: Charges a customer's card, with no backup.
schema: { input: { type: object, properties: { amount: { type: integer } } } }
rest: { method: POST, base_url: "${primary.origin}", path: /limited }
`,
  );
  const gateway = await startGateway(
    `capabilities: { builtin: false, directories: ["${dir}"], allow_private_networks: true }\n`,
  );
  cleanups.push(() => gateway.stop());
  session = await connectHttp(gateway.url);
  cleanups.push(session.close);
  await waitFor(() => gateway.gateway.index.tools("capabilities").length === 5);
}, 30_000);

describe("a POST with fallback providers", () => {
  test("a timed-out POST is not sent again to the backup", async () => {
    const result = await invoke("charge_slow");
    expect(at(primary, "/slow")).toBe(1);
    expect(at(backup, "/slow")).toBe(0);
    expect(result.isError).toBe(true);
    expect(firstText(result)).toStartWith("[UPSTREAM_TIMEOUT]");
    expect(firstText(result)).toContain("not sent to the next provider");
  }, 15_000);

  test("nor is a POST answered 500", async () => {
    const result = await invoke("charge_broken");
    expect(at(backup, "/broken")).toBe(0);
    expect(firstText(result)).toStartWith("[UPSTREAM_HTTP_ERROR]");
  });

  test("a 429 (the API did not act) moves on to the backup", async () => {
    const result = await invoke("charge_limited");
    expect(at(backup, "/limited")).toBe(1);
    expect(firstText(result)).toContain('"by":"backup"');
  });

  test("a 429 the last provider answers says how long the API asks to wait", async () => {
    const result = await invoke("charge_limited_alone");
    expect(result.isError).toBe(true);
    expect(firstText(result)).toContain("429");
    expect(firstText(result)).toContain("Retry-After: 30");
  });

  test("a POST its author marked idempotent may move on after a 500", async () => {
    const before = at(backup, "/broken");
    const result = await invoke("charge_idempotent");
    expect(at(backup, "/broken")).toBe(before + 1);
    expect(result.isError).toBeFalsy();
  });
});
