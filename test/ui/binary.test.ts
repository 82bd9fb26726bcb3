import { expect, test } from "bun:test";
import { join } from "node:path";
import {
  builtBinary,
  cleanupsAfterAll,
  EVERYTHING,
  freePort,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "./_chromium.ts";

// The compiled binary serves the dashboard from inside itself: it runs from an empty folder, with
// no source tree in reach, and the page's script (minified by the build) runs in Chromium.
warnIfNoChromium("the compiled dashboard test");
const cleanups = cleanupsAfterAll();

test.skipIf(!HAS_CHROMIUM)(
  "dist-style binary: /ui, its script and /metrics work with no files on disk",
  async () => {
    const work = tempDir("mcpgw-ui-bin-");
    const binary = builtBinary();
    const port = await freePort();
    const config = writeConfig(`
capabilities: { enabled: false }
backends:
  everything:
    command: node
    args: ["${EVERYTHING}"]
`);
    const server = Bun.spawn([binary, "serve", "--config", config, "--port", String(port)], {
      cwd: work,
      env: { PATH: process.env.PATH!, HOME: work, XDG_STATE_HOME: join(work, "state") },
      stdout: "ignore",
      stderr: "ignore",
    });
    cleanups.push(() => server.kill());
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok);
    expect((await fetch(`${url}/metrics`)).headers.get("content-type")).toContain("text/plain");

    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${url}/ui`);
    await page.locator("#backends tbody tr", { hasText: "everything" }).waitFor();
    // The charts' script (its own file) runs from the binary too.
    const calls = page.locator('#charts figure:has(figcaption:text-is("Calls"))');
    await calls.waitFor();
    expect(await calls.textContent()).toContain("No calls in the last hour.");
    await page.click("#tab-tools-tab");
    await page.fill("#search", "sum of two numbers");
    await page.locator('[data-tool="everything:get-sum"]').waitFor();
    expect(errors).toEqual([]);
  },
  90_000,
);
