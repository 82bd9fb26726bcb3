// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators, whose innerText() is the rendered text a user reads
/**
 * A backend fails while the operator watches: its calls time out until its circuit breaker
 * opens, which the open page shows without a reload. The operator fixes it and presses Restart:
 * the backend starts and lists its tools, so its calls go through again at once; before, the
 * breaker stayed open ("fx restarted: open, 16 tools") and refused every call until its
 * `reset_timeout` (5 minutes here) had passed.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import type { RunningGateway } from "../../src/gateway/run.ts";
import {
  BUN,
  cleanupsAfterAll,
  connectHttp,
  FIXTURE_SERVER,
  startGateway,
  waitFor,
} from "../helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "./_chromium.ts";

warnIfNoChromium("the dashboard's breaker tests");

const cleanups = cleanupsAfterAll();
let browser: Browser;
let gateway: RunningGateway & { url: string };

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  gateway = await startGateway(`capabilities: { enabled: false }
failsafe: { circuit_breaker: { enabled: true, failure_threshold: 2, reset_timeout: 5m } }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    timeout: 1s
`);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("fx").length);
  browser = await launchChromium();
  cleanups.push(() => browser.close());
}, 30_000);

describe.skipIf(!HAS_CHROMIUM)("a failing backend on the open page", () => {
  test("the breaker opens live; Restart brings the backend back with its breaker closed", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 2000 } });
    cleanups.push(() => context.close());
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${gateway.url}/ui`);
    await page.locator('[data-act-backend="fx"]').waitFor();
    await page.locator("#live.on").waitFor();

    const session = await connectHttp(gateway.url);
    cleanups.push(session.close);
    const invoke = async (tool: string) =>
      JSON.stringify(
        await session.client.callTool({
          name: "gateway_invoke",
          arguments: { server: "fx", tool, arguments: {} },
        }),
      );
    expect(await invoke("hang_write")).toContain("BACKEND_TIMEOUT");
    expect(await invoke("hang_write")).toContain("BACKEND_TIMEOUT");
    expect(await invoke("pid")).toContain("CIRCUIT_OPEN");
    // Shown on the open page: the row's breaker and the operator panel's state.
    const row = page.locator('#backends tr[data-backend="fx"]');
    await row.locator(".badge.state-open").first().waitFor();
    await page.locator('[data-act-backend="fx"] .state-open').waitFor();

    await page.click('[data-act-backend="fx"] [data-action="restart"]');
    await page.locator("#act-notice", { hasText: "fx restarted:" }).waitFor();
    expect(await page.locator("#act-notice").innerText()).toMatch(
      /^fx restarted: ready, \d+ tools$/,
    );
    expect(gateway.gateway.pool.breakerState("fx")).toBe("closed");
    expect(await invoke("pid")).toMatch(/"text":"\d+"/);
    // The page says so too: the breaker column reads closed again.
    await row.locator(".badge.state-closed").waitFor();
    expect(await row.locator(".badge.state-open").count()).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);
});
