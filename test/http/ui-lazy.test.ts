import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { staticImports } from "../_imports.ts";
import { connectHttp, firstText, startFixtureGateway } from "../helpers.ts";

// `serve` loads the dashboard on its first request and the code-mode sandbox on the first script
// (issue #20: memory); the charts still count the calls made before anyone opened the dashboard.

test("serve imports neither the dashboard nor the code-mode sandbox at start", () => {
  const loaded = staticImports("src/cli/commands/serve.ts");
  // The start itself: without these the check would pass on a broken walk.
  expect(loaded).toContain("src/http/routes.ts");
  expect(loaded).toContain("src/meta/execute.ts");
  const lazy = loaded.filter(
    (path) =>
      path === "src/http/ui.ts" ||
      path.startsWith("src/ui/") ||
      path === "src/codemode/runner.ts" ||
      path === "src/codemode/quickjs.ts",
  );
  expect(lazy).toEqual([]);
});

describe("the dashboard loaded on its first request", () => {
  let gateway: Awaited<ReturnType<typeof startFixtureGateway>>;
  beforeAll(async () => {
    gateway = await startFixtureGateway();
  });
  afterAll(() => gateway.stop());

  test("its charts count the calls made before it was first asked", async () => {
    const session = await connectHttp(gateway.url);
    try {
      for (const message of ["one", "two", "three"]) {
        const result = await session.client.callTool({
          name: "gateway_invoke",
          arguments: { server: "fixture", tool: "echo", arguments: { message } },
        });
        expect(firstText(result)).toContain(message);
      }
    } finally {
      await session.close();
    }
    const charts = await (await fetch(`${gateway.url}/api/charts?window=1h`)).json();
    const fixture = charts.backends.find((b: { server: string }) => b.server === "fixture");
    expect(fixture.calls).toBe(3);
    // The page and /metrics come from the same handler, loaded once.
    const page = await fetch(`${gateway.url}/ui`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<!doctype html>");
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('server="fixture"');
  });
});
