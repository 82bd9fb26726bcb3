import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { BUN, FIXTURE_SERVER, startGateway, tempDir, waitFor } from "../helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "./_chromium.ts";

// An operator revives a disabled backend from the Overview whose start now fails: the page
// must say why (the gateway's answer names the failure and where to read its stderr), not
// only "revive failed (HTTP 502)".
warnIfNoChromium("the dashboard revive test");

let browser: Browser;
let gateway: Awaited<ReturnType<typeof startGateway>>;
const flag = join(tempDir(), "broken");
beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  flaky:
    command: sh
    args: ["-c", "if [ -f ${flag} ]; then echo flaky-cannot-start >&2; exit 3; fi; exec ${BUN} ${FIXTURE_SERVER}"]
`);
  await waitFor(() => gateway.gateway.index.tools("flaky").length);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

describe.skipIf(!HAS_CHROMIUM)("reviving a backend", () => {
  test("a revive whose start fails shows the gateway's reason", async () => {
    const disabled = await fetch(`${gateway.url}/api/backends/flaky/disable`, { method: "POST" });
    expect(disabled.status).toBe(200);
    writeFileSync(flag, "");
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${gateway.url}/ui`);
    await page.locator('#backends [data-revive="flaky"]').click();
    const notice = page.locator("#notice.error");
    await notice.waitFor();
    const text = (await notice.textContent()) ?? "";
    expect(text).toContain("flaky did not start");
    expect(text).toContain("/api/backends/flaky/stderr");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
