import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { BUN, cleanupsAfterAll, FIXTURE_SERVER, freePort, waitFor } from "../helpers.ts";
import { HOSTILE_SERVER, startServe, text } from "./_serve.ts";

const cleanups = cleanupsAfterAll();
// Each test starts real gateway processes (two, for the restart); the machine may be busy.
setDefaultTimeout(30_000);

const MiB = 1024 * 1024;

describe("a backend that sends a message past the size limit", async () => {
  const gateway = await startServe(`
backends:
  hostile:
    command: ${BUN}
    args: ["${HOSTILE_SERVER}"]
    max_message_size: 1MiB
  defaults:
    command: ${BUN}
    args: ["${HOSTILE_SERVER}"]
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  cleanups.push(() => gateway.stop());

  test("fails that call alone with RESULT_TOO_LARGE naming the limit and the setting", async () => {
    const result = await gateway.invoke("hostile", "big", { bytes: 2 * MiB });
    expect(result.isError).toBe(true);
    expect(text(result)).toStartWith("[RESULT_TOO_LARGE] [backend:hostile]");
    expect(text(result)).toContain("1 MiB");
    expect(text(result)).toContain("backends.hostile.max_message_size");
    // The same backend keeps serving, and so do the others.
    expect(text(await gateway.invoke("hostile", "echo", { message: "still here" }))).toBe(
      "still here",
    );
    expect(text(await gateway.invoke("fixture", "echo", { message: "untouched" }))).toBe(
      "untouched",
    );
    expect(gateway.process.exitCode).toBeNull();
  });

  test("an answer just under the limit still passes", async () => {
    const result = await gateway.invoke("hostile", "big", { bytes: MiB - 1024 });
    expect(result.isError).toBeFalsy();
    expect(text(result).length).toBe(MiB - 1024);
  });

  test("past the 10 MiB the SDK's reader allows, the default limit (16 MiB) fails the call, not the gateway", async () => {
    const ok = await gateway.invoke("defaults", "big", { bytes: 12 * MiB });
    expect(text(ok).length).toBe(12 * MiB);
    const result = await gateway.invoke("defaults", "big", { bytes: 17 * MiB });
    expect(text(result)).toStartWith("[RESULT_TOO_LARGE]");
    expect(text(result)).toContain("16 MiB");
    expect(text(await gateway.invoke("fixture", "echo", { message: "alive" }))).toBe("alive");
    expect(gateway.process.exitCode).toBeNull();
  });

  test("an oversized notification is dropped and the call answers", async () => {
    const result = await gateway.invoke("hostile", "big_log", { bytes: 2 * MiB });
    expect(text(result)).toBe("logged");
  });

  test("an oversized line that is no message fails the calls in flight and restarts the backend", async () => {
    const result = await gateway.invoke("hostile", "big_raw", { bytes: 2 * MiB });
    expect(result.isError).toBe(true);
    expect(text(result)).toStartWith("[RESULT_TOO_LARGE]");
    expect(text(await gateway.invoke("hostile", "echo", { message: "restarted" }))).toBe(
      "restarted",
    );
    expect(text(await gateway.invoke("fixture", "echo", { message: "untouched" }))).toBe(
      "untouched",
    );
    const health = (await (await fetch(`${gateway.url}/health`)).json()) as { status: string };
    expect(health.status).toBe("ok");
    expect(gateway.process.exitCode).toBeNull();
  });
});

describe("an HTTP backend that answers past the size limit", async () => {
  const servers = await Promise.all(
    [[], ["--json"]].map(async (flags) => {
      const port = await freePort();
      const server = Bun.spawn([BUN, HOSTILE_SERVER, "--http", String(port), ...flags], {
        stdout: "ignore",
        stderr: "ignore",
      });
      cleanups.push(() => server.kill());
      return port;
    }),
  );
  const gateway = await startServe(`
backends:
  sse_answers:
    url: http://127.0.0.1:${servers[0]}/mcp
    max_message_size: 1MiB
  json_answers:
    url: http://127.0.0.1:${servers[1]}/mcp
    max_message_size: 1MiB
`);
  cleanups.push(() => gateway.stop());

  for (const name of ["sse_answers", "json_answers"]) {
    test(`${name}: the call fails with RESULT_TOO_LARGE, and the backend keeps serving`, async () => {
      await waitFor(async () => !(await gateway.invoke(name, "echo", { message: "up" })).isError);
      const result = await gateway.invoke(name, "big", { bytes: 2 * MiB });
      expect(text(result)).toStartWith(`[RESULT_TOO_LARGE] [backend:${name}]`);
      expect(text(result)).toContain(`backends.${name}.max_message_size`);
      const small = await gateway.invoke(name, "big", { bytes: 512 * 1024 });
      expect(text(small).length).toBe(512 * 1024);
      expect(text(await gateway.invoke(name, "echo", { message: "fine" }))).toBe("fine");
    });
  }
});
