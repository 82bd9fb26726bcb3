// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators, whose innerText() is the rendered text a user reads
import { afterAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import {
  BUN,
  connectHttp,
  FIXTURE_SERVER,
  startFromFile,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "./_chromium.ts";

// The dashboard's Questions, Costs and Audit views in a real headless Chromium, after real calls.
warnIfNoChromium("the governance dashboard test");
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

test.skipIf(!HAS_CHROMIUM)(
  "usage questions, budgets with a notify alert, and the audit log filtered by tool",
  async () => {
    const file = writeConfig(`capabilities: { enabled: false }
cost_governance:
  enabled: true
  tool_costs: { echo: 0.5 }
  budgets: { daily: 1 }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
    const running = await startFromFile(file);
    cleanups.push(() => running.stop());
    await waitFor(() => running.gateway.index.tools("fx").length > 0);
    const session = await connectHttp(running.url!);
    cleanups.push(() => session.close());
    const invoke = (tool: string, args: Record<string, unknown> = {}) =>
      session.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "fx", tool, arguments: args },
      });
    await invoke("echo", { message: "a" });
    await invoke("echo", { message: "b" });
    await invoke("echo", { message: "c" }); // refused: the daily budget is spent
    await invoke("fail");
    await session.client.callTool({
      name: "gateway_search_tools",
      arguments: { query: "summon a dragon" },
    });

    const browser: Browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 2400 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${running.url}/ui`);
    // The overview shows the daily budget as a full gauge.
    const gauge = page.locator("#budgets-body .gauge", { hasText: "daily" });
    await gauge.waitFor();
    expect(await gauge.getAttribute("class")).toContain("gauge-bad");
    expect(await gauge.innerText()).toContain("1 / 1 USD (100%)");

    await page.click("#tab-usage-tab");
    const top = page.locator("#top-tools tbody tr", { hasText: "local" });
    await top.waitFor();
    expect(await top.innerText()).toContain("fx:echo (2)");
    expect(await top.innerText()).toContain("fx:fail (1)");
    await page.locator("#empty-searches tbody tr", { hasText: "dragon summon" }).waitFor();
    expect(await page.locator("#tokens-saved").innerText()).toMatch(
      /Tokens saved: -?[\d,]+ over \d+ tools\/list/,
    );

    const budget = page.locator("#costs tbody tr", { hasText: "daily" });
    await budget.waitFor();
    expect(await budget.innerText()).toMatch(/daily\s+1\s+1\s+100%/);
    expect(await page.locator("#cost-alerts").innerText()).toContain(
      "notify: daily budget at 100%",
    );

    await page.click("#tab-activity");
    await page.fill("#audit-tool", "fx:echo");
    const refused = page.locator("#audit tbody tr", { hasText: "BUDGET_EXCEEDED" });
    await refused.waitFor();
    // The filter applies after a short pause: three rows of fx:echo, the refusal among them.
    await waitFor(async () => (await page.locator("#audit tbody tr").count()) === 3);
    expect(await page.locator("#audit tbody").innerText()).not.toContain("fx:fail");
    expect(errors).toEqual([]);
  },
  60_000,
);
