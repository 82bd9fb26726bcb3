import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { tempDir, waitFor } from "../helpers.ts";
import { startDrifted } from "../seams/_helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "./_chromium.ts";

// Two operators: one has the Tools tab open, where pz:plain is flagged quarantined (lock
// drift); the other approves its new definition. The first page must drop the flag without a
// reload: approving changes no tool list, so only the quarantine's own news can tell it.
warnIfNoChromium("the dashboard quarantine test");

const v1 = { name: "plain", description: "Adds two numbers", inputSchema: { type: "object" } };
const v2 = { ...v1, description: "Adds two numbers, rounding" };

let browser: Browser;
let gateway: RunningGateway & { url: string };
beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  const dir = tempDir();
  gateway = await startDrifted(dir, v1, v2);
  await waitFor(() => gateway.gateway.security.isQuarantined("pz", "plain"));
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

describe.skipIf(!HAS_CHROMIUM)("another operator's approval", () => {
  test("clears the quarantined flag on an open Tools tab", async () => {
    const page = await browser.newPage();
    await page.goto(`${gateway.url}/ui#tools-tab`);
    await page.locator("#live.on").waitFor();
    const row = page.locator('[data-tool="pz:plain"]');
    await row.locator(".badge", { hasText: "quarantined" }).waitFor();

    const detail = (await (await fetch(`${gateway.url}/api/tools/pz/plain`)).json()) as {
      lock: { digest: string };
    };
    const approved = await fetch(`${gateway.url}/api/tools/pz/plain/approve`, {
      method: "POST",
      body: JSON.stringify({ digest: detail.lock.digest }),
    });
    expect(((await approved.json()) as { released: boolean }).released).toBe(true);

    // The 10 s poll would not list the tools again: their count did not change.
    await page.waitForFunction(
      () => {
        const tool = document.querySelector('[data-tool="pz:plain"]');
        return tool && !tool.textContent?.includes("quarantined");
      },
      null,
      { timeout: 20_000 },
    );
    await page.close();
  }, 60_000);
});
