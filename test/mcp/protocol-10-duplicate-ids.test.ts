/**
 * A client that sends a second request with the id of one still in flight, in the same session:
 * the SDK's transport maps a request id to one POST stream, so the second POST took the first's
 * stream over; the first answer went out on the second stream and closed it, and the first POST
 * was never answered (nor the second, with its own result). The duplicate is now refused at once
 * with a JSON-RPC error naming the id, and the first call is answered on its own stream.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { firstText, startFixtureGateway, waitFor } from "../helpers.ts";
import { openSession, request } from "./_protocol-10.ts";

setDefaultTimeout(30_000);

let gateway: Awaited<ReturnType<typeof startFixtureGateway>>;
beforeAll(async () => {
  gateway = await startFixtureGateway();
});
afterAll(async () => {
  await gateway?.stop();
});

/** A fixture call that takes about 900 ms. */
const slow = { name: "slow", arguments: { steps: 3, delayMs: 300 } };
/** One that takes about 3 s: long enough that a loaded machine answers a duplicate before it. */
const slower = { name: "slow", arguments: { steps: 3, delayMs: 1000 } };
const viaInvoke = (tool: typeof slow) => ({
  name: "gateway_invoke",
  arguments: { server: "fixture", tool: tool.name, arguments: tool.arguments },
});

for (const [surface, path, call, long] of [
  ["/mcp", "/mcp", viaInvoke(slow), viaInvoke(slower)],
  ["/mcp/{backend}", "/mcp/fixture", slow, slower],
] as const) {
  describe(`a request id reused while in flight (${surface})`, () => {
    test("the duplicate is refused at once and the first is answered on its own stream", async () => {
      const { post } = await openSession(gateway.url, "2025-11-25", path);
      let firstDone = false;
      const first = post(request(7, "tools/call", long)).finally(() => {
        firstDone = true;
      });
      // The first has reached the backend (a fixed 150 ms let a loaded machine send the ping
      // before the call was taken, and a 600 ms bound on the refusal failed under load).
      await waitFor(() => gateway.gateway.pool.inFlight() >= 1);
      const second = await post(request(7, "ping"), 5_000);
      // At once: while the first call still runs, not after it.
      expect(firstDone).toBe(false);
      expect(second.status).toBe(400);
      expect(second.messages).toHaveLength(1);
      expect(second.messages[0]?.id).toBe(7);
      expect(second.messages[0]?.error?.code).toBe(-32600);
      expect(second.messages[0]?.error?.message).toContain("request id 7 is already in flight");
      const answered = await first;
      expect(answered.status).toBe(200);
      const result = answered.messages.find((m) => m.id === 7);
      expect(firstText(result?.result ?? {})).toBe("done 3");
    });

    test("two POSTs racing with one id: one is served, the other refused; none hangs", async () => {
      const { post } = await openSession(gateway.url, "2025-11-25", path);
      const [a, b] = await Promise.all([
        post(request("same", "tools/call", call), 5_000),
        post(request("same", "tools/call", call), 5_000),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 400]);
      const served = a.status === 200 ? a : b;
      expect(firstText(served.messages.find((m) => m.id === "same")?.result ?? {})).toBe("done 3");
    });

    test("an id is free again once its answer went out, or once it was cancelled", async () => {
      const { post } = await openSession(gateway.url, "2025-11-25", path);
      expect((await post(request(1, "ping"))).messages[0]?.result).toEqual({});
      expect((await post(request(1, "ping"))).messages[0]?.result).toEqual({});
      const cancelled = post(request(2, "tools/call", call));
      await waitFor(() => gateway.gateway.pool.inFlight() >= 1);
      await post({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 2 } });
      await cancelled;
      expect((await post(request(2, "ping"), 5_000)).messages[0]?.result).toEqual({});
    });
  });
}
