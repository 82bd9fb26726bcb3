// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators, whose innerText() is the rendered text a user reads
/**
 * A slow tool in "Try it": the operator sees how long it has run and when the gateway gives up
 * (the backend's `timeout`), can cancel it (the backend hears `notifications/cancelled`), and a
 * request that fails on the way (the gateway restarted, the network dropped) says so instead
 * of "Running…" forever.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { RunningGateway } from "../../src/gateway/run.ts";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  startFromFile,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "./_chromium.ts";

warnIfNoChromium("the dashboard's slow try it");

const cleanups = cleanupsAfterAll();
let browser: Browser;
let gateway: RunningGateway & { url: string };
const log = join(tempDir(), "fixture.log");

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  gateway = await startFromFile(
    writeConfig(`capabilities: { enabled: false }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    env: { FIXTURE_LOG: "${log}" }
    timeout: 5m
    tool_timeouts: { slow: 90s }
`),
  );
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("fx").length);
  browser = await launchChromium();
  cleanups.push(() => browser.close());
}, 30_000);

async function openTool(key: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 2400 } });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${gateway.url}/ui`);
  await page.locator('[data-act-backend="fx"]').waitFor();
  await page.fill("#act-tool-name", key);
  await page.click("#act-open");
  await page.locator("#act-tool h3", { hasText: key }).waitFor();
  return { page, errors };
}

const cancellations = () => (existsSync(log) ? readFileSync(log, "utf8") : "").split("\n");

describe.skipIf(!HAS_CHROMIUM)("a slow tool in try it", () => {
  test("shows the time it has run and the timeout, and Cancel cancels it at the backend", async () => {
    const { page, errors } = await openTool("fx:wait");
    // The detail names the limit before anything runs.
    expect(await page.locator("#act-tool").innerText()).toContain(
      "gives up after 5 min (backends.fx.timeout)",
    );
    const before = cancellations().filter((line) => line.startsWith("cancelled")).length;
    await page.click("#act-run");
    const running = page.locator("#act-result [data-running]");
    await running.waitFor();
    // The clock moves while it waits.
    await page.locator("#act-result [data-running]", { hasText: /Running… [1-9]\d* s/ }).waitFor();
    expect(await page.locator("#act-run").isDisabled()).toBe(true);
    await waitFor(() => gateway.gateway.pool.inFlight() === 1);
    await page.click("#act-cancel");
    await page.locator("#act-result [data-cancelled]").waitFor();
    expect(await page.locator("#act-result").innerText()).toContain("Cancelled after");
    // The backend heard it, and nothing is left running.
    await waitFor(
      () => cancellations().filter((line) => line.startsWith("cancelled")).length > before,
    );
    await waitFor(() => gateway.gateway.pool.inFlight() === 0);
    expect(await page.locator("#act-run").isDisabled()).toBe(false);
    expect(errors).toEqual([]);
  }, 60_000);

  test("a tool's own timeout is the one named", async () => {
    const { page } = await openTool("fx:slow");
    expect(await page.locator("#act-tool").innerText()).toContain(
      "gives up after 90 s (backends.fx.tool_timeouts.slow)",
    );
  }, 30_000);

  test("a request that fails on the way says so, and Run works again", async () => {
    const { page, errors } = await openTool("fx:pid");
    // The network drops the request (a gateway restarting, a proxy cutting it).
    await page.route(/\/invoke/, (route) => route.abort("connectionreset"));
    await page.click("#act-run");
    const failed = page.locator("#act-result .error");
    await failed.waitFor();
    expect(await failed.innerText()).toContain("The gateway did not answer");
    expect(await page.locator("#act-result").innerText()).not.toContain("Running");
    await page.unroute(/\/invoke/);
    expect(await page.locator("#act-run").isDisabled()).toBe(false);
    await page.click("#act-run");
    await page.locator("#act-result .act-text").waitFor();
    expect(await page.locator("#act-result .act-text").innerText()).toMatch(/^\d+$/);
    expect(errors).toEqual([]);
  }, 30_000);
});
