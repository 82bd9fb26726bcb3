import { describe, expect, test } from "bun:test";
import {
  BUN,
  cleanupsAfterAll,
  connectHttp,
  FIXTURE_SERVER,
  firstText,
  freePort,
  startGateway,
  waitFor,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();

async function startFixture(port: number) {
  const child = Bun.spawn([BUN, FIXTURE_SERVER, "--http", String(port)], { stderr: "ignore" });
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined)) !== undefined,
  );
  return child;
}

describe("an HTTP backend that forgets our session", () => {
  test("is re-initialized transparently and the call goes through", async () => {
    const port = await freePort();
    let backend = await startFixture(port);
    cleanups.push(() => backend.kill());
    const gateway = await startGateway(`
backends:
  remote:
    url: http://127.0.0.1:${port}/mcp
`);
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("remote").length > 0);
    const session = await connectHttp(gateway.url);
    cleanups.push(() => session.close());
    const call = () =>
      session.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "remote", tool: "pid" },
      });
    const before = firstText(await call());
    // The backend restarts: every session it had is gone, and it answers 404 for ours.
    backend.kill();
    await backend.exited;
    backend = await startFixture(port);
    const after = await call();
    expect(after.isError).toBeFalsy();
    expect(firstText(after)).not.toBe(before);
  });
});
