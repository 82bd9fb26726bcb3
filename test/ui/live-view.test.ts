// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators, whose innerText() is the rendered text a user reads
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { RunningGateway } from "../../src/gateway/run.ts";
import {
  BUN,
  cleanupsAfterAll,
  connectHttp,
  FIXTURE_SERVER,
  ROOT,
  startFromFile,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "./_chromium.ts";

// What a person sees on the dashboard after real calls through a real gateway, in Debian's
// Chromium: charts with points, a call arriving live, the activity filter, the search explained,
// dark mode, keyboard tabs, and the page at a laptop's full and half width (screenshots).
const ARTIFACTS = join(ROOT, "test-artifacts");
warnIfNoChromium("the live dashboard tests");

const cleanups = cleanupsAfterAll();
let browser: Browser;
let gateway: RunningGateway & { url: string };
let invoke: (tool: string, args?: Record<string, unknown>, server?: string) => Promise<unknown>;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  browser = await launchChromium();
  cleanups.push(() => browser.close());
  const file = writeConfig(`capabilities: { enabled: false }
cost_governance:
  enabled: true
  tool_costs: { echo: 0.25 }
  budgets: { daily: 1 }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
  fy:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  gateway = await startFromFile(file);
  cleanups.push(() => gateway.stop());
  await waitFor(
    () => gateway.gateway.index.tools("fx").length && gateway.gateway.index.tools("fy").length,
  );
  const session = await connectHttp(gateway.url);
  cleanups.push(() => session.close());
  invoke = (tool, args = {}, server = "fx") =>
    session.client.callTool({
      name: "gateway_invoke",
      arguments: { server, tool, arguments: args },
    });
  // One meta tools/list: what the meta surface saved against the flat list is counted per list.
  await session.client.listTools();
  await invoke("echo", { message: "one" });
  await invoke("echo", { message: "two" });
  await invoke("fail");
  await invoke("pid", {}, "fy");
  await session.client.callTool({
    name: "gateway_search_tools",
    arguments: { query: "echo a message back" },
  });
  await invoke("echo", { message: "three" });
}, 60_000);

/** A page that fails the test on a script error or a request that leaves the gateway. */
async function open(
  width: number,
  colorScheme: "light" | "dark" = "light",
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 1000 }, colorScheme });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(gateway.url) && !url.startsWith("data:")) errors.push(`left: ${url}`);
  });
  await page.goto(`${gateway.url}/ui`);
  await page.locator("#backends tbody tr", { hasText: "fx" }).waitFor();
  return { page, errors };
}

describe.skipIf(!HAS_CHROMIUM)("the dashboard, live", () => {
  test("charts have a point for each minute with calls; gauges and tokens saved show real numbers", async () => {
    const { page, errors } = await open(1400);
    const calls = page.locator('#charts figure:has(figcaption:text-is("Calls"))');
    await calls.locator("circle.point").first().waitFor();
    const values = await calls
      .locator("circle.point")
      .evaluateAll((dots) => dots.map((dot) => Number(dot.getAttribute("data-value"))));
    // fx had 4 calls, fy 1, all within the last minute or two.
    expect(values.reduce((a, b) => a + b, 0)).toBe(5);
    expect(await calls.locator(".legend").innerText()).toMatch(/fx[\s\S]*fy/);
    const errorsChart = page.locator('#charts figure:has(figcaption:text-is("Errors"))');
    expect(await errorsChart.locator("circle.point").count()).toBeGreaterThan(0);
    const p99 = page.locator('#charts figure:has(figcaption:text-is("Latency p99"))');
    expect(await p99.locator("circle.point").count()).toBeGreaterThan(0);
    expect(await p99.locator(".axis-y").innerText()).toMatch(/ms|s/);
    // The last day, by quarter hour: the same calls.
    await page.selectOption("#chart-window", "24h");
    await page.locator("#chart-note", { hasText: "per 15 min" }).waitFor();
    expect(await calls.locator("circle.point").count()).toBeGreaterThan(0);

    // Budget gauge (0.75 of 1 spent), search hit rate, tokens saved for this client.
    const budget = page.locator("#budgets-body .gauge", { hasText: "daily" });
    await budget.waitFor();
    expect(await budget.innerText()).toContain("0.75 / 1 USD (75%)");
    await page.locator("#hit-rate-body .gauge", { hasText: "found first" }).waitFor();
    expect(await page.locator("#hit-rate-body").innerText()).toMatch(/found first\s+100%/);
    await page.locator("#savings-body .gauge", { hasText: "local" }).waitFor();
    expect(await page.locator("#savings-body").innerText()).toMatch(/tokens over 1 list/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "ui-overview-1400.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);

  test("a new call appears without a reload; a backend's crash shows in its row at once", async () => {
    const { page, errors } = await open(1400);
    await page.click("#tab-activity");
    await page.locator("#live.on").waitFor();
    await page.locator("#calls tbody tr", { hasText: "fx:echo" }).first().waitFor();
    await invoke("echo", { message: "live" });
    const answered = Date.now();
    // Marked `live`: it came over the event stream, not the next poll (10 s away).
    const arrived = page.locator("#calls tbody tr.live", { hasText: "fx:echo" });
    await arrived.waitFor({ timeout: 2000 });
    console.log(`a call's row appeared ${Date.now() - answered} ms after its answer`);
    expect(await arrived.innerText()).toMatch(/local\s+[\d.]+ ms\s+ok/);

    await page.click("#tab-overview");
    const fy = page.locator('#backends tr[data-backend="fy"]');
    expect(await fy.innerText()).toContain("ready");
    await invoke("crash", {}, "fy").catch(() => {});
    const crashed = Date.now();
    await waitFor(async () => !(await fy.innerText()).includes("ready"));
    console.log(`the crashed backend's row changed ${Date.now() - crashed} ms after the call`);
    expect(errors).toEqual([]);
  }, 60_000);

  test("the activity filter narrows rows to an outcome, a server and a time range", async () => {
    const { page, errors } = await open(1400);
    await page.click("#tab-activity");
    const rows = page.locator("#audit tbody tr");
    await rows.first().waitFor();
    await waitFor(async () => (await rows.count()) >= 5);
    const all = await rows.count();
    await page.selectOption("#audit-outcome", "error");
    await waitFor(async () => (await rows.count()) < all);
    expect(await page.locator("#audit tbody").innerText()).toContain("fx:fail");
    for (const text of await rows.allInnerTexts()) expect(text).toContain("error");
    await page.selectOption("#audit-outcome", "");
    await page.selectOption("#audit-server", "fy");
    // Only fy's rows: its call, and none of fx's.
    await waitFor(async () => {
      const text = await page.locator("#audit tbody").innerText();
      return text.includes("fy:pid") && !text.includes("fx:");
    });
    await page.fill("#audit-until", "1h");
    await page.locator("#audit tbody td.muted", { hasText: "No audit rows match." }).waitFor();
    expect(errors).toEqual([]);
  }, 60_000);

  test("search as the model would: ranks, scores and which fields matched", async () => {
    const { page, errors } = await open(1400);
    await page.click("#tab-tools-tab");
    await page.fill("#explain-query", "echo a message back");
    await page.press("#explain-query", "Enter");
    const first = page.locator("#explain tbody tr").first();
    await first.waitFor();
    await waitFor(async () => (await first.innerText()).includes(":echo"));
    const text = await first.innerText();
    expect(text).toMatch(/^1\s+f[xy]:echo\s+[\d.]+/);
    expect(text).toContain('"echo" in name');
    expect(text).toMatch(/covers \d+% of the words/);
    await page.screenshot({ path: join(ARTIFACTS, "ui-explain-1400.png") });
    expect(errors).toEqual([]);
  }, 60_000);

  test("dark mode follows prefers-color-scheme; tabs work from the keyboard with a visible focus", async () => {
    const { page, errors } = await open(1400, "dark");
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe("rgb(13, 17, 23)");
    await page.focus("#tab-overview");
    await page.keyboard.press("ArrowRight");
    expect(await page.locator("#tab-activity").getAttribute("aria-selected")).toBe("true");
    expect(await page.locator("#activity").isVisible()).toBe(true);
    expect(await page.locator("#overview").isVisible()).toBe(false);
    const focus = await page.evaluate(() => {
      const active = document.activeElement!;
      return `${active.id} ${getComputedStyle(active).outlineStyle}`;
    });
    expect(focus).toBe("tab-activity solid");
    await page.keyboard.press("ArrowLeft");
    await page.locator("#charts figure").first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "ui-overview-dark.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);

  test("at 700 px (half a laptop screen) nothing runs off the side", async () => {
    const { page, errors } = await open(700);
    await page.locator("#charts circle.point").first().waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, "ui-overview-700.png"), fullPage: true });
    await page.click("#tab-activity");
    await page.locator("#audit tbody tr").first().waitFor();
    const activityOverflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(activityOverflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, "ui-activity-700.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);
});
