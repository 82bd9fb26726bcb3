// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators, whose innerText() is the rendered text a user reads
/**
 * The operator names a tool to open in "Tool detail and try it". What is wrong with the name is
 * said beside the box (not in the notice at the top of the panel, scrolled away on a laptop),
 * with what to type instead: a bare tool name opens the one backend's tool or names the
 * backends that have it; a typo gets the nearest names, one click away.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { BUN, cleanupsAfterAll, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "./_chromium.ts";

warnIfNoChromium("the dashboard's tool picker tests");

const cleanups = cleanupsAfterAll();
let browser: Browser;
let gateway: RunningGateway & { url: string };

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  gateway = await startGateway(`capabilities: { enabled: false }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
  fy:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    tools: { echo: { hide: true } }
`);
  cleanups.push(() => gateway.stop());
  await waitFor(
    () => gateway.gateway.index.tools("fx").length && gateway.gateway.index.tools("fy").length,
  );
  browser = await launchChromium();
  cleanups.push(() => browser.close());
}, 30_000);

async function open(): Promise<{ page: Page; errors: string[] }> {
  // A laptop's window: the panel's notice is far above the picker.
  const context = await browser.newContext({ viewport: { width: 1280, height: 700 } });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${gateway.url}/ui`);
  await page.locator('[data-act-backend="fy"]').waitFor();
  await page.locator('#act-tool-names option[value="fy:pid"]').waitFor({ state: "attached" });
  return { page, errors };
}

async function pick(page: Page, text: string): Promise<void> {
  await page.fill("#act-tool-name", text);
  await page.press("#act-tool-name", "Enter");
}

const problem = (page: Page) => page.locator("#act-pick-problem");

describe.skipIf(!HAS_CHROMIUM)("naming a tool to open", () => {
  test("what is wrong is said beside the box, with what to type", async () => {
    const { page, errors } = await open();
    // A tool on both backends: which one?
    await pick(page, "pid");
    await problem(page).getByText("pid is on fx and fy").waitFor();
    expect(await problem(page).isVisible()).toBe(true);
    expect(await page.locator("#act-tool-name").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#act-tool h3").count()).toBe(0);
    // Each is offered; one click opens it.
    await problem(page).locator("button", { hasText: "fy:pid" }).click();
    await page.locator("#act-tool h3", { hasText: "fy:pid" }).waitFor();
    expect(await problem(page).isVisible()).toBe(false);
    expect(await page.locator("#act-tool-name").getAttribute("aria-invalid")).toBeNull();

    // A tool only one backend has opens as it is.
    await pick(page, "echo");
    await page.locator("#act-tool h3", { hasText: "fx:echo" }).waitFor();

    // A typo: the nearest names.
    await pick(page, "fx:ecno");
    await problem(page).getByText("fx has no tool named ecno").waitFor();
    await problem(page).locator("button", { hasText: "fx:echo" }).click();
    await page.locator("#act-tool h3", { hasText: "fx:echo" }).waitFor();

    // An unknown backend: the backends there are.
    await pick(page, "fz:echo");
    await problem(page).getByText("no backend named fz").waitFor();
    expect(await problem(page).innerText()).toContain("fx, fy");
    expect(await problem(page).isVisible()).toBe(true);

    // Nothing like it anywhere.
    await pick(page, "zzzzqqq");
    await problem(page).getByText("No tool is named zzzzqqq").waitFor();
    expect(errors).toEqual([]);
  }, 60_000);
});
