// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators, whose innerText() is the rendered text a user reads
/**
 * "Try it" shows what a tool returns as a person expects to see it: an image as an image, audio
 * with a player, a resource link and an embedded resource as what they are, not as JSON. Every
 * block is the backend's: an image is drawn only from a `data:` URL the page builds, with a
 * MIME type from an allow-list (never SVG, never a type that smuggles markup), and anything
 * else is shown as text.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { Server } from "@modelcontextprotocol/server";
import type { Browser, Page } from "playwright-core";
import { cleanupsAfterAll, serveMcpHttp, startGateway, waitFor } from "../helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "./_chromium.ts";

warnIfNoChromium("the dashboard's rendering of tool content");

/** A 2x1 PNG (a red and a blue pixel). */
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAD0lEQVR4nGP4z8DAwPAfAAcAAf9+CLHQAAAAAElFTkSuQmCC";
/** 8 samples of silence, a whole WAV file. */
const WAV = Buffer.concat([
  Buffer.from("RIFF"),
  Buffer.from([44, 0, 0, 0]),
  Buffer.from("WAVEfmt "),
  Buffer.from([16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x40, 0x1f, 0, 0, 1, 0, 8, 0]),
  Buffer.from("data"),
  Buffer.from([8, 0, 0, 0, 128, 128, 128, 128, 128, 128, 128, 128]),
]).toString("base64");
const SVG = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg"><script>parent.__pwned = "svg"</script></svg>`,
).toString("base64");

const RESULTS: Record<string, unknown[]> = {
  media: [
    { type: "text", text: "here it is" },
    { type: "image", data: PNG, mimeType: "image/png" },
    { type: "audio", data: WAV, mimeType: "audio/wav" },
    {
      type: "resource_link",
      uri: "file:///reports/q3.pdf",
      name: "q3.pdf",
      description: "The third quarter",
      mimeType: "application/pdf",
    },
    {
      type: "resource",
      resource: { uri: "memo://today", mimeType: "text/markdown", text: "# Today\n- ship" },
    },
    { type: "resource", resource: { uri: "memo://logo", mimeType: "image/png", blob: PNG } },
    {
      type: "resource",
      resource: { uri: "file:///q3.pdf", mimeType: "application/pdf", blob: "JVBERi0xLjQK" },
    },
  ],
  hostile: [
    // Not an image type on the allow-list: shown as a note, never drawn.
    { type: "image", data: SVG, mimeType: "image/svg+xml" },
    { type: "image", data: PNG, mimeType: 'image/png" onerror="window.__pwned=1' },
    { type: "image", data: PNG, mimeType: "text/html" },
    {
      type: "resource_link",
      uri: "javascript:window.__pwned='link'",
      name: "<img src=x onerror=window.__pwned='name'>",
    },
    {
      type: "resource",
      resource: {
        uri: "page://x",
        mimeType: "text/html",
        text: "<script>window.__pwned='html'</script><b>bold</b>",
      },
    },
  ],
};

const cleanups = cleanupsAfterAll();
let browser: Browser;
let url: string;

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  const backend = serveMcpHttp(() => {
    const mcp = new Server({ name: "media", version: "1.0.0" }, { capabilities: { tools: {} } });
    mcp.setRequestHandler("tools/list", async () => ({
      tools: Object.keys(RESULTS).map((name) => ({
        name,
        description: `Returns ${name} content`,
        inputSchema: { type: "object" as const },
      })),
    }));
    mcp.setRequestHandler(
      "tools/call",
      async (request) => ({ content: RESULTS[request.params.name] ?? [] }) as never,
    );
    return mcp;
  });
  cleanups.push(backend.stop);
  const gateway = await startGateway(
    `capabilities: { enabled: false }\nbackends:\n  md:\n    url: ${backend.url}\n`,
  );
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("md").length === 2);
  url = gateway.url;
  browser = await launchChromium();
  cleanups.push(() => browser.close());
}, 30_000);

async function tryTool(key: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 2400 } });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(`${url}/ui`);
  await page.locator('[data-act-backend="md"]').waitFor();
  await page.fill("#act-tool-name", key);
  await page.click("#act-open");
  await page.locator("#act-tool h3", { hasText: key }).waitFor();
  await page.click("#act-run");
  await page.locator("#act-result [data-block], #act-result .error").first().waitFor();
  const refused = page.locator("#act-result .error");
  if (await refused.count()) throw new Error(await refused.innerText());
  return { page, errors };
}

describe.skipIf(!HAS_CHROMIUM)("try it renders each kind of content", () => {
  test("an image is drawn, audio gets a player, resources say what they are", async () => {
    const { page, errors } = await tryTool("md:media");
    const result = page.locator("#act-result");
    const blocks = await result
      .locator("[data-block]")
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-block")));
    expect(blocks).toEqual([
      "text",
      "image",
      "audio",
      "resource_link",
      "resource",
      "resource",
      "resource",
    ]);

    // Drawn by the browser: the PNG decoded to its 2x1 pixels.
    const image = result.locator('[data-block="image"] img');
    await page.waitForFunction(
      () =>
        (document.querySelector('#act-result [data-block="image"] img') as HTMLImageElement)
          ?.complete,
    );
    expect(await image.getAttribute("src")).toBe(`data:image/png;base64,${PNG}`);
    expect(
      await image.evaluate((img) => [
        (img as HTMLImageElement).naturalWidth,
        (img as HTMLImageElement).naturalHeight,
      ]),
    ).toEqual([2, 1]);
    expect(await result.locator('[data-block="image"]').innerText()).toContain("image/png");

    const audio = result.locator('[data-block="audio"] audio');
    expect(await audio.getAttribute("src")).toBe(`data:audio/wav;base64,${WAV}`);
    expect(await audio.getAttribute("controls")).not.toBeNull();
    // The page's policy lets the player load it (a blocked media source reports an error).
    await page.waitForFunction(
      () =>
        (document.querySelector('#act-result [data-block="audio"] audio') as HTMLAudioElement)
          ?.readyState >= 1,
    );

    const link = await result.locator('[data-block="resource_link"]').innerText();
    expect(link).toContain("q3.pdf");
    expect(link).toContain("file:///reports/q3.pdf");
    expect(link).toContain("The third quarter");
    expect(link).toContain("application/pdf");

    const [memo, logo, pdf] = await result.locator('[data-block="resource"]').all();
    expect(await pdf!.innerText()).toContain("[application/pdf data, about 9 bytes: not shown]");
    expect(await memo!.innerText()).toContain("memo://today");
    expect(await memo!.locator("pre").innerText()).toBe("# Today\n- ship");
    expect(await logo!.locator("img").getAttribute("src")).toBe(`data:image/png;base64,${PNG}`);
    expect(await result.innerText()).not.toContain('"type"');
    expect(errors).toEqual([]);
  }, 60_000);

  test("a hostile block is never drawn as an image or run as markup", async () => {
    const { page, errors } = await tryTool("md:hostile");
    const result = page.locator("#act-result");
    await result.locator('[data-block="resource"]').waitFor();
    // No image element at all: not the SVG, not the smuggled attribute, not HTML.
    expect(await result.locator("img").count()).toBe(0);
    const text = await result.innerText();
    expect(text).toContain("image/svg+xml");
    expect(text).toContain("not shown");
    // A link to javascript: is text, never an anchor; the name's markup is text.
    expect(await result.locator("a").count()).toBe(0);
    expect(text).toContain("javascript:window.__pwned='link'");
    expect(text).toContain("<img src=x onerror=window.__pwned='name'>");
    expect(await result.locator('[data-block="resource"] pre').innerText()).toContain(
      "<script>window.__pwned='html'</script>",
    );
    expect(await result.locator("b").count()).toBe(0);
    await Bun.sleep(200);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
  }, 60_000);
});
