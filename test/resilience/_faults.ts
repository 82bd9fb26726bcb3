import { readFileSync } from "node:fs";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { connectHttp, waitFor } from "../helpers.ts";

/**
 * A client on `gateway` once backend `server` is listed, and what the fault suites ask of it:
 * `invoke` a tool through gateway_invoke, and count the `calls` that reached the fixture (from
 * the FIXTURE_LOG file `log`). The gateway and the session go on `cleanups`.
 */
export async function faultClient(
  gateway: RunningGateway & { url: string },
  server: string,
  log: string,
  cleanups: (() => unknown)[],
) {
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools(server).length > 0);
  const session = await connectHttp(gateway.url);
  cleanups.push(() => session.close());
  const invoke = (tool: string, args: Record<string, unknown> = {}) =>
    session.client.callTool({
      name: "gateway_invoke",
      arguments: { server, tool, arguments: args },
    });
  const calls = (tool: string) =>
    readFileSync(log, "utf8")
      .split("\n")
      .filter((line) => line === `${tool} called`).length;
  return { session, invoke, calls };
}
