import { afterAll, beforeAll, expect, test } from "bun:test";
import { startGateway } from "../helpers.ts";

// The dashboard's weight as a browser downloads it: the page and every script and stylesheet it
// names, fetched from a real gateway. Budget: 300 KB in all, nothing from another origin.
const BUDGET = 300 * 1024;

let gateway: Awaited<ReturnType<typeof startGateway>>;
beforeAll(async () => {
  gateway = await startGateway("capabilities: { enabled: false }\nbackends: {}\n");
});
afterAll(() => gateway.stop());

test("the page and the assets it loads weigh at most 300 KB, all from the gateway itself", async () => {
  const page = await (await fetch(`${gateway.url}/ui`)).text();
  const linked = [...page.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"/g)]
    .map((match) => match[1]!)
    .filter((path) => !path.startsWith("data:"));
  expect(linked).toContain("/ui/app.js");
  expect(linked).toContain("/ui/style.css");
  let total = new TextEncoder().encode(page).length;
  for (const path of linked) {
    // Only the gateway's own paths: never another origin, never a protocol-relative URL.
    expect(path).toMatch(/^\/[^/]/);
    const response = await fetch(`${gateway.url}${path}`);
    expect(response.status).toBe(200);
    total += (await response.arrayBuffer()).byteLength;
  }
  console.log(`dashboard assets: ${(total / 1024).toFixed(1)} KB (${linked.length + 1} files)`);
  expect(total).toBeLessThanOrEqual(BUDGET);
});
