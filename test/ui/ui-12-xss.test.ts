// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators, whose innerText() is the rendered text a user reads
/**
 * A poisoned backend puts markup in every string it hands the gateway: tool names, titles,
 * descriptions, schema property names, descriptions and enum values, annotations, its server
 * instructions, its errors (a tool's `isError` text and a JSON-RPC error), resource names and
 * URIs (one clashing with another backend's), and what it returns. The operator walks every tab,
 * opens and runs every tool and the explained search: no markup becomes an element, nothing
 * runs, and the page's CSP never has to stop anything (a violation means markup got in).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { Server } from "@modelcontextprotocol/server";
import type { Browser } from "playwright-core";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { cleanupsAfterAll, connectHttp, serveMcpHttp, startGateway, waitFor } from "../helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "./_chromium.ts";

warnIfNoChromium("the dashboard's XSS sweep");

/** Each payload, if it ever became markup, sets `window.__pwned` or adds a `[data-pwned]`. */
const X = {
  img: `<img data-pwned src=x onerror="window.__pwned='img'">`,
  attr: `"><b data-pwned onmouseover="window.__pwned='attr'">`,
  script: `</pre></code><script>window.__pwned='script'</script>`,
  svg: `<svg data-pwned onload="window.__pwned='svg'"></svg>`,
  js: `javascript:window.__pwned='js'`,
};
const ALL = Object.values(X).join(" ");
const NAME = `t${X.img}`;
const QUOTE = `q"']${X.attr}`.slice(0, 120);

const tools = [
  {
    name: NAME,
    title: X.svg,
    description: `Reads a file ${ALL}`,
    inputSchema: {
      type: "object",
      properties: {
        [X.attr]: { type: "string", description: X.img },
        mode: { enum: [X.script, X.svg] },
        [X.js]: { type: "boolean" },
      },
      required: [X.attr],
    },
    annotations: { title: X.img, readOnlyHint: true },
  },
  { name: QUOTE, description: `Fails ${X.svg}`, inputSchema: { type: "object" } },
  { name: "throws", description: `Throws ${X.script}`, inputSchema: { type: "object" } },
];

const cleanups = cleanupsAfterAll();
let browser: Browser;
let gateway: RunningGateway & { url: string };

function poisonedServer(name: string) {
  return serveMcpHttp(() => {
    const mcp = new Server(
      { name: `${name}${X.img}`, version: X.svg },
      { capabilities: { tools: {}, resources: {} }, instructions: `Use me. ${ALL}` },
    );
    mcp.setRequestHandler("tools/list", async () => ({ tools }) as never);
    mcp.setRequestHandler("resources/list", async () => ({
      resources: [
        { uri: `file:///${X.img}`, name: X.svg, description: X.script, mimeType: "text/html" },
      ],
    }));
    mcp.setRequestHandler("tools/call", async (request) => {
      if (request.params.name === "throws") throw new Error(`boom ${ALL}`);
      return {
        content: [
          { type: "text" as const, text: `result ${ALL}` },
          {
            type: "resource_link" as const,
            uri: X.js,
            name: X.img,
            description: X.script,
            mimeType: X.attr,
          },
          { type: "image" as const, data: "aGVsbG8=", mimeType: X.attr },
        ],
        isError: request.params.name !== NAME,
        ...(request.params.name === NAME ? { structuredContent: { html: ALL } } : {}),
      };
    });
    return mcp;
  });
}

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  const one = poisonedServer("one");
  const two = poisonedServer("two");
  cleanups.push(one.stop, two.stop);
  gateway = await startGateway(`capabilities: { enabled: false }
search: { feedback: true }
security: { poisoning: warn }
backends:
  pa:
    url: ${one.url}
    description: "${X.attr.replace(/"/g, '\\"')}"
  pb:
    url: ${two.url}
`);
  cleanups.push(() => gateway.stop());
  await waitFor(
    () =>
      gateway.gateway.index.tools("pa").length === tools.length &&
      gateway.gateway.index.tools("pb").length === tools.length,
  );
  // Traffic, so Activity, Usage and the search report have the poisoned strings too.
  const session = await connectHttp(gateway.url);
  cleanups.push(session.close);
  await session.client.callTool({
    name: "gateway_search_tools",
    arguments: { query: "reads a file" },
  });
  for (const tool of tools) {
    for (const server of ["pa", "pb"]) {
      await session.client.callTool({
        name: "gateway_invoke",
        arguments: { server, tool: tool.name, arguments: { [X.attr]: "x" } },
      });
    }
  }
  await session.client.callTool({
    name: "gateway_search_tools",
    arguments: { query: ALL },
  });
  browser = await launchChromium();
  cleanups.push(() => browser.close());
}, 60_000);

describe.skipIf(!HAS_CHROMIUM)("a poisoned backend's strings in the dashboard", () => {
  test("every tab, every tool opened and run: nothing becomes markup or runs", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 2400 } });
    cleanups.push(() => context.close());
    // Counts what the CSP had to stop: a stopped script is still markup that got in.
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __violations: string[] }).__violations = seen;
      document.addEventListener("securitypolicyviolation", (event) =>
        seen.push(`${event.violatedDirective} ${event.blockedURI}`),
      );
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const popups: string[] = [];
    page.on("popup", (popup) => popups.push(popup.url()));
    await page.goto(`${gateway.url}/ui`);
    await page.locator('[data-act-backend="pa"]').waitFor();

    for (const tab of ["activity", "usage-tab", "security", "config", "tools-tab"]) {
      await page.click(`#tab-${tab}`);
      await page.locator(`#${tab}:not([hidden])`).waitFor();
      await Bun.sleep(300);
    }
    // Activity's calls arrived, the tools are listed: open every one.
    await page
      .locator("#tool-list li[data-tool]")
      .nth(2 * tools.length - 1)
      .waitFor();
    const items = await page.locator("#tool-list li[data-tool] > button").all();
    for (const item of items) await item.click();
    expect(await page.locator("#tool-list").innerText()).toContain(X.img);
    await page.fill("#explain-query", "reads a file");
    await page.click("#explain-form button");
    await page.locator("#explain tbody tr").first().waitFor();
    await page.fill("#explain-query", ALL);
    await page.click("#explain-form button");
    await Bun.sleep(300);

    // The operator panel: every tool opened and run, with the form's fields filled.
    await page.click("#tab-overview");
    for (const server of ["pa", "pb"]) {
      for (const tool of tools) {
        await page.fill("#act-tool-name", `${server}:${tool.name}`);
        await page.click("#act-open");
        await page
          .locator("#act-tool h3.tool-name", { hasText: `${server}:${tool.name}` })
          .waitFor();
        const fields = page.locator("#act-tool input[type=text]");
        for (const field of await fields.all()) await field.fill(X.img);
        await page.click("#act-run");
        await page.locator("#act-result [data-block], #act-result .error").first().waitFor();
      }
    }
    expect(await page.locator("#act-result").innerText()).toContain("boom");
    // Stderr and the attention list, as an operator reads them.
    await page.click('[data-act-backend="pa"] [data-action="stderr"]');
    await page.locator('pre[data-stderr="pa"]').waitFor();
    await Bun.sleep(500);

    expect(await page.locator("[data-pwned]").count()).toBe(0);
    expect(await page.locator("script:not([src])").count()).toBe(0);
    expect(await page.locator("a[href^='javascript']").count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(
      await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
    ).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(popups).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);
});
