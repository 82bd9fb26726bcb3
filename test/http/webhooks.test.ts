/**
 * Inbound webhooks over real HTTP: GitHub, Stripe and Linear deliveries signed (and forged,
 * replayed, stale) against a running gateway; an SDK client subscribed to the endpoint's
 * `webhook://` resource hears of the good ones only; a key without the capabilities backend's
 * resources hears nothing; the rate limit answers 429.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashKey } from "../../src/security/keys.ts";
import { type ConnectedClient, startGateway, tempDir, waitFor } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";

setDefaultTimeout(30_000);

const ADMIN = "admin-key-0123456789abcdef";
const OTHER = "other-key-0123456789abcdef";
const BYSTANDER = "bystander-key-0123456789abcdef";
const GITHUB_SECRET = "gh-secret-for-tests";
const STRIPE_SECRET = "whsec_stripe_for_tests";
const LINEAR_SECRET = "linear-secret-for-tests";

let gateway: Awaited<ReturnType<typeof startGateway>>;
let admin: ConnectedClient;
let other: ConnectedClient;
let bystander: ConnectedClient;
const bystanderUpdates: string[] = [];
const updates: string[] = [];
const messages: unknown[] = [];
const otherUpdates: string[] = [];

const hex = (secret: string, text: string) =>
  createHmac("sha256", secret).update(text).digest("hex");

function post(path: string, body: string, headers: Record<string, string>) {
  return fetch(`${gateway.url}/webhooks/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

function github(body: string, delivery: string, secret = GITHUB_SECRET) {
  return post("repo/push", body, {
    "x-hub-signature-256": `sha256=${hex(secret, body)}`,
    "x-github-event": "push",
    "x-github-delivery": delivery,
  });
}

function stripe(body: string, at = Math.floor(Date.now() / 1000)) {
  return post("billing/stripe", body, {
    "stripe-signature": `t=${at},v1=${hex(STRIPE_SECRET, `${at}.${body}`)}`,
  });
}

beforeAll(async () => {
  const dir = tempDir("webhooks-");
  writeFileSync(
    join(dir, "repo.yaml"),
    `fulcrum: "1.0"
name: repo
description: Receives the repository's pushes.
providers: {}
webhooks:
  push:
    secret: env:GH_HOOK_SECRET
    signature_header: X-Hub-Signature-256
    transform:
      data: { ref: ref, pusher: pusher.name }
`,
  );
  writeFileSync(
    join(dir, "billing.yaml"),
    `fulcrum: "1.0"
name: billing
description: Receives billing events.
providers: {}
webhooks:
  stripe:
    path: billing/stripe
    secret: "\${STRIPE_HOOK_SECRET}"
    provider: stripe
  linear:
    secret: env:LINEAR_HOOK_SECRET
    provider: linear
`,
  );
  gateway = await startGateway(
    `
capabilities: { directories: ["${dir}"], builtin: false }
webhooks: { rate_limit: 6 }
meta_mcp: { operator_tools: [gateway_webhook_status] }
auth:
  enabled: true
  api_keys:
    - name: admin
      key: "${hashKey(ADMIN)}"
      admin: true
    - name: other
      key: "${hashKey(OTHER)}"
      backends: [nothing]
    - name: bystander
      key: "${hashKey(BYSTANDER)}"
`,
    {
      ...process.env,
      GH_HOOK_SECRET: GITHUB_SECRET,
      STRIPE_HOOK_SECRET: STRIPE_SECRET,
      LINEAR_HOOK_SECRET: LINEAR_SECRET,
    },
  );
  admin = await connectWithKey(gateway.url, ADMIN);
  other = await connectWithKey(gateway.url, OTHER);
  bystander = await connectWithKey(gateway.url, BYSTANDER);
  bystander.client.setNotificationHandler("notifications/resources/updated", (note) => {
    bystanderUpdates.push(note.params.uri);
  });
  admin.client.setNotificationHandler("notifications/resources/updated", (note) => {
    updates.push(note.params.uri);
  });
  admin.client.setNotificationHandler("notifications/message", (note) => {
    messages.push(note.params.data);
  });
  other.client.setNotificationHandler("notifications/resources/updated", (note) => {
    otherUpdates.push(note.params.uri);
  });
});

afterAll(async () => {
  await admin?.close();
  await other?.close();
  await bystander?.close();
  await gateway?.stop();
});

describe("webhooks", () => {
  test("each endpoint is a webhook:// resource; a key without the grant sees none", async () => {
    const { resources } = await admin.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(
      expect.arrayContaining(["webhook://repo/push", "webhook://billing/stripe"]),
    );
    for (const uri of [
      "webhook://repo/push",
      "webhook://billing/stripe",
      "webhook://billing/linear",
    ]) {
      await admin.client.subscribeResource({ uri });
    }
    const theirs = await other.client.listResources();
    expect(theirs.resources.some((r) => r.uri.startsWith("webhook://"))).toBe(false);
    await expect(other.client.subscribeResource({ uri: "webhook://repo/push" })).rejects.toThrow(
      /not found/i,
    );
    await expect(other.client.readResource({ uri: "webhook://repo/push" })).rejects.toThrow(
      /not found/i,
    );
  });

  test("a signed GitHub delivery reaches the subscribed session, transformed", async () => {
    const body = JSON.stringify({ ref: "refs/heads/main", pusher: { name: "ana" }, token: "x" });
    const response = await github(body, "delivery-1");
    expect(response.status).toBe(200);
    await waitFor(() => updates.includes("webhook://repo/push"));
    await waitFor(() => messages.length > 0);
    const read = await admin.client.readResource({ uri: "webhook://repo/push" });
    const kept = JSON.parse((read.contents[0] as { text: string }).text);
    expect(kept.deliveries[0].event).toBe("push");
    expect(kept.deliveries[0].data).toEqual({ ref: "refs/heads/main", pusher: "ana" });
    expect(JSON.stringify(kept)).not.toContain(GITHUB_SECRET);
    // Never broadcast: neither the key without the grant nor a granted session that did not
    // subscribe hears of it.
    expect(otherUpdates).toEqual([]);
    expect(bystanderUpdates).toEqual([]);
  });

  test("a forged signature is refused with 401 and notifies nobody", async () => {
    const before = updates.length;
    const body = JSON.stringify({ ref: "refs/heads/evil" });
    const forged = await github(body, "delivery-2", "wrong-secret");
    expect(forged.status).toBe(401);
    const unsigned = await post("repo/push", body, {});
    expect(unsigned.status).toBe(401);
    // Signed over another body: the raw bytes are what is checked.
    const swapped = await post("repo/push", `${body} `, {
      "x-hub-signature-256": `sha256=${hex(GITHUB_SECRET, body)}`,
    });
    expect(swapped.status).toBe(401);
    await Bun.sleep(200);
    expect(updates.length).toBe(before);
  });

  test("a replayed delivery is refused", async () => {
    const body = JSON.stringify({ ref: "refs/heads/replay" });
    expect((await github(body, "delivery-3")).status).toBe(200);
    expect((await github(body, "delivery-3")).status).toBe(409);
  });

  test("Stripe: signed is delivered; stale timestamp and replay are refused", async () => {
    const body = JSON.stringify({ id: "evt_1", type: "invoice.paid" });
    // A replay sends the same signed header again: signed at the same second, whenever it is sent
    // (signing twice across a second boundary made two deliveries, and this test flaky under load).
    const at = Math.floor(Date.now() / 1000);
    expect((await stripe(body, at)).status).toBe(200);
    await waitFor(() => updates.includes("webhook://billing/stripe"));
    expect((await stripe(body, at)).status).toBe(409);
    const stale = await stripe(
      JSON.stringify({ id: "evt_2" }),
      Math.floor(Date.now() / 1000) - 600,
    );
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: string }).error).toMatch(/replay window/);
  });

  test("Linear: signed with a fresh webhookTimestamp is delivered; an old one is refused", async () => {
    const fresh = JSON.stringify({ action: "create", type: "Issue", webhookTimestamp: Date.now() });
    const ok = await post("billing/linear", fresh, {
      "linear-signature": hex(LINEAR_SECRET, fresh),
    });
    expect(ok.status).toBe(200);
    await waitFor(() => updates.includes("webhook://billing/linear"));
    const old = JSON.stringify({ type: "Issue", webhookTimestamp: Date.now() - 3_600_000 });
    const refused = await post("billing/linear", old, {
      "linear-signature": hex(LINEAR_SECRET, old),
    });
    expect(refused.status).toBe(401);
  });

  test("over the endpoint's rate limit: 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const body = JSON.stringify({ ref: `refs/heads/burst-${i}` });
      statuses.push((await github(body, `burst-${i}`)).status);
    }
    expect(statuses).toContain(429);
  });

  test("gateway_webhook_status reports deliveries and failures per endpoint", async () => {
    const { data } = await meta(admin.client, "gateway_webhook_status");
    const endpoints = data.endpoints as { uri: string; deliveries: number; failures: number }[];
    const push = endpoints.find((e) => e.uri === "webhook://repo/push")!;
    expect(push.deliveries).toBeGreaterThanOrEqual(2);
    expect(push.failures).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(data)).not.toContain(GITHUB_SECRET);
  });

  test("/api/webhooks (the dashboard's table) shows them to a granted key only", async () => {
    const view = async (key: string) => {
      const response = await fetch(`${gateway.url}/api/webhooks`, {
        headers: { authorization: `Bearer ${key}` },
      });
      return ((await response.json()) as { endpoints: { uri: string; failures: number }[] })
        .endpoints;
    };
    const mine = await view(ADMIN);
    expect(mine.find((e) => e.uri === "webhook://billing/stripe")?.failures).toBe(2);
    expect(await view(OTHER)).toEqual([]);
    const page = await (
      await fetch(`${gateway.url}/ui`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).text();
    expect(page).toContain('id="webhooks"');
  });

  test("an unknown path is 404", async () => {
    expect((await post("nope/none", "{}", {})).status).toBe(404);
  });
});
