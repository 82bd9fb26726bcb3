import { describe, expect, test } from "bun:test";
import { queryKey } from "../../src/search/feedback.ts";
import { cleanupsAfterAll, connectHttp, startFixtureGateway } from "../helpers.ts";

const cleanups = cleanupsAfterAll();

describe("search feedback × two windows of one client program (one pool, auth off)", () => {
  test("each window's call answers its own search, not the search the other made last", async () => {
    const gateway = await startFixtureGateway();
    cleanups.push(() => gateway.stop());
    // Two sessions of the same program: the same caller and clientInfo.name, so one pool.
    const [left, right] = [await connectHttp(gateway.url), await connectHttp(gateway.url)];
    cleanups.push(
      () => left.close(),
      () => right.close(),
    );
    const search = (session: typeof left, query: string) =>
      session.client.callTool({ name: "gateway_search_tools", arguments: { query } });
    const invoke = (session: typeof left, tool: string, args: Record<string, unknown>) =>
      session.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "fixture", tool, arguments: args },
      });
    for (let round = 0; round < 2; round++) {
      await search(left, "echo a message back");
      await search(right, "count my calls");
      await invoke(left, "echo", { message: "hello" });
      await invoke(right, "counter", { key: "k" });
    }
    const learned = gateway.gateway.feedback!.rows().map((row) => [row.query, row.tool, row.count]);
    expect(learned).toContainEqual([queryKey("echo a message back"), "echo", 2]);
    expect(learned).toContainEqual([queryKey("count my calls"), "counter", 2]);
    expect(learned).toHaveLength(2);
  }, 30_000);
});
