/**
 * The original gateway's webhook example (its docs/WEBHOOKS.md), as written: a webhook-only
 * capability whose transform uses templates (`event_type: "linear.issue.{action}"`, data fields
 * `"{data.id}"`), the webhooks block of its config, and a Linear delivery signed as its curl
 * example signs it. The delivery's event and fields are the ones the template names; they were
 * read as dotted paths, so every field was missing and the event was not the template's.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ConnectedClient, connectHttp, startGateway, tempDir } from "../helpers.ts";

setDefaultTimeout(30_000);

const SECRET = "linear-secret-for-tests";
let gateway: Awaited<ReturnType<typeof startGateway>>;
let session: ConnectedClient;

beforeAll(async () => {
  const dir = tempDir("mcpgw-sw11-hooks-");
  writeFileSync(
    join(dir, "linear_integration.yaml"),
    `fulcrum: "1.0"
name: linear_integration
description: Linear webhook integration

webhooks:
  issue_updated:
    # HTTP path (full URL: /webhooks/linear/issues)
    path: /linear/issues
    method: POST

    # Secret for HMAC validation (supports {env.VAR}, keychain:name)
    secret: "{env.LINEAR_WEBHOOK_SECRET}"
    signature_header: "Linear-Signature"

    # Transform webhook payload to MCP notification
    transform:
      event_type: "linear.issue.{action}"
      data:
        id: "{data.id}"
        title: "{data.title}"
        state: "{data.state.name}"

    # Send as MCP notification
    notify: true
`,
  );
  gateway = await startGateway(
    `capabilities: { directories: ["${dir}"], builtin: false }
webhooks:
  enabled: true                # Enable webhook receiver system
  base_path: /webhooks         # Base path for all webhook endpoints
  require_signature: true      # Require HMAC validation (recommended)
  rate_limit: 100             # Requests per minute per endpoint
`,
    { ...process.env, LINEAR_WEBHOOK_SECRET: SECRET },
  );
  session = await connectHttp(gateway.url);
});
afterAll(async () => {
  await session?.close();
  await gateway?.stop();
});

describe("the original's webhook example", () => {
  test("a signed delivery keeps the event and the fields its templates name", async () => {
    // Linear signs a webhookTimestamp into every delivery; checked here against replays.
    const payload = JSON.stringify({
      webhookTimestamp: Date.now(),
      action: "created",
      data: { id: "LIN-123", title: "Fix bug in authentication", state: { name: "Todo" } },
    });
    const signature = createHmac("sha256", SECRET).update(payload).digest("hex");
    const response = await fetch(`${gateway.url}/webhooks/linear/issues`, {
      method: "POST",
      headers: { "content-type": "application/json", "Linear-Signature": signature },
      body: payload,
    });
    expect(response.status).toBeLessThan(300);
    const read = await session.client.readResource({
      uri: "webhook://linear_integration/issue_updated",
    });
    const text = (read.contents[0] as { text: string }).text;
    const { deliveries } = JSON.parse(text) as {
      deliveries: { event?: string; data: Record<string, unknown> }[];
    };
    expect(deliveries[0]).toMatchObject({
      event: "linear.issue.created",
      data: { id: "LIN-123", title: "Fix bug in authentication", state: "Todo" },
    });
  });
});
