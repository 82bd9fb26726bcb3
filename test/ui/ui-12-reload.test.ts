// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators, whose innerText() is the rendered text a user reads
/**
 * The config is reloaded (the file edited, a reload from the CLI or another operator) while
 * pages are open. The admin's Config tab shows the config now in force, not the one it read
 * first; a scoped key whose grant moved from one backend to another (as many tools either way)
 * sees its new tools listed, not the ones it may no longer call.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import type { RunningGateway } from "../../src/gateway/run.ts";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  startFromFile,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "./_chromium.ts";

warnIfNoChromium("the dashboard's reload tests");

const ADMIN = "mgw_admin-reload-test-key-0123456789abcdefghijklmn";
const VIEWER = "mgw_viewer-reload-test-key-0123456789abcdefghijklm";

const LEAD = "mgw_lead-reload-test-key-0123456789abcdefghijklmnop";

const config = (grant: string, note: string, lead = true) => `capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: ops, key: "${ADMIN}", admin: true }
    - { name: lead, key: "${LEAD}", admin: ${lead} }
    - { name: viewer, key: "${VIEWER}", backends: ["${grant}"] }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    description: "${note}"
  fy:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;

const cleanups = cleanupsAfterAll();
let browser: Browser;
let gateway: RunningGateway & { url: string };
let file: string;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  file = writeConfig(config("fx", "before the reload"));
  gateway = await startFromFile(file);
  cleanups.push(() => gateway.stop());
  await waitFor(
    () => gateway.gateway.index.tools("fx").length && gateway.gateway.index.tools("fy").length,
  );
  browser = await launchChromium();
  cleanups.push(() => browser.close());
}, 30_000);

async function logIn(key: string, tab: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1600 } });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${gateway.url}/ui`);
  await page.fill("#key", key);
  await page.click("#login button");
  await page.locator("#live.on").waitFor();
  await page.click(`#tab-${tab}`);
  return { page, errors };
}

describe.skipIf(!HAS_CHROMIUM)("a reload while the page is open", () => {
  test("the Config tab and a scoped key's tool list follow it", async () => {
    const admin = await logIn(ADMIN, "config");
    await admin.page.locator("#config-body", { hasText: "before the reload" }).waitFor();
    const viewer = await logIn(VIEWER, "tools-tab");
    const listed = async () =>
      (
        await viewer.page
          .locator("#tool-list li[data-tool]")
          .evaluateAll((items) => items.map((item) => item.getAttribute("data-tool")))
      ).map((key) => key?.split(":")[0]);
    await viewer.page.locator("#tool-list li[data-tool]").first().waitFor();
    expect(new Set(await listed())).toEqual(new Set(["fx"]));

    writeFileSync(file, config("fy", "after the reload"));
    await gateway.reload("test");

    await admin.page.locator("#config-body", { hasText: "after the reload" }).waitFor();
    await waitFor(async () => (await listed()).every((server) => server === "fy"), 15_000);
    expect(new Set(await listed())).toEqual(new Set(["fy"]));
    expect(admin.errors).toEqual([]);
    expect(viewer.errors).toEqual([]);
  }, 60_000);

  test("an admin key made a plain one: the open page drops the admin views", async () => {
    const lead = await logIn(LEAD, "security");
    await lead.page.locator("#operate").waitFor({ state: "attached" });
    expect(await lead.page.locator("#tab-security").isVisible()).toBe(true);
    writeFileSync(file, config("fy", "after the reload", false));
    await gateway.reload("test");
    await lead.page.locator("#operate").waitFor({ state: "detached" });
    await lead.page.locator("#tab-security").waitFor({ state: "hidden" });
    expect(await lead.page.locator("#config-body").innerText()).toBe("");
    expect(await lead.page.locator("#tab-overview").getAttribute("aria-selected")).toBe("true");
    expect(lead.errors).toEqual([]);
  }, 60_000);
});
