import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ConnectedClient, connectHttp, startFixtureGateway } from "../helpers.ts";
import { meta } from "../security/_helpers.ts";

// Attacks on the code-mode sandbox, each performed through the real gateway over HTTP: none may
// hang or crash the gateway, outlive its limit, or reach the host.

let gateway: Awaited<ReturnType<typeof startFixtureGateway>>;
let session: ConnectedClient;
let backendCalls = 0;

beforeAll(async () => {
  gateway = await startFixtureGateway(
    "code_mode: { enabled: true, timeout: 2500ms, memory: 16, max_calls: 3, max_output: 50000 }",
  );
  gateway.gateway.hooks.hook("tool:call:before", () => {
    backendCalls++;
  });
  session = await connectHttp(gateway.url);
});

afterAll(async () => {
  await session?.close();
  await gateway?.stop();
});

const run = (code: string) => meta(session.client, "gateway_execute", { code });

/** After every attack the gateway still answers (a wedged sandbox pool would hang it). */
async function stillServes() {
  const out = await run(`return await tools.fixture.echo({ message: "alive" })`);
  expect(out.data.result).toBe("alive");
}

describe("the sandbox holds", () => {
  test("no host objects: process, require, Bun, Deno, fetch, timers, the host bridge", async () => {
    const out = await run(`
      const names = ["process", "require", "Bun", "Deno", "fetch", "setTimeout", "setInterval",
        "XMLHttpRequest", "WebSocket", "__gateway_host", "module", "global"];
      return names.filter((name) => typeof globalThis[name] !== "undefined");
    `);
    expect(out.data.result).toEqual([]);
  });

  test("constructor.constructor('return this')() is the sandbox's own global", async () => {
    const out = await run(`
      const g = constructor.constructor("return this")();
      const viaTools = tools.fixture.echo.constructor("return this")();
      return [g === globalThis, viaTools === globalThis, typeof g.process, typeof viaTools.Bun];
    `);
    expect(out.data.result).toEqual([true, true, "undefined", "undefined"]);
  });

  test("import() and require of anything fail", async () => {
    const dynamic = await run(`return await import("node:fs")`);
    expect(dynamic.text).toStartWith("[CODE_ERROR]");
    const required = await run(`return require("child_process")`);
    expect(required.text).toStartWith("[CODE_ERROR]");
  });

  test("prototype pollution of the API object stays in that script's context", async () => {
    const out = await run(`
      Object.prototype.polluted = "yes";
      try { tools.__proto__ = { hacked: true }; } catch {}
      try { Object.setPrototypeOf(tools, { hacked: true }); } catch {}
      try { tools.fixture = 1; } catch {}
      try { Object.defineProperty(tools, "call", { value: () => "mine" }); } catch {}
      Array.prototype.map = () => "broken";
      JSON.parse = () => "broken";
      return [typeof tools.fixture.echo, await tools.call("fixture", "echo", { message: "ok" })];
    `);
    expect(out.data.result).toEqual(["function", "ok"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const fresh = await run(`return [({}).polluted ?? null, tools.hacked?.constructor ?? null]`);
    expect(fresh.data.result).toEqual([null, null]);
    await stillServes();
  });

  test("awaiting tools.<server> or printing it calls nothing", async () => {
    const before = backendCalls;
    const out = await run(`
      const server = await tools.fixture;
      console.log(tools.fixture, tools);
      return JSON.stringify(tools.fixture) ?? null;
    `);
    expect(out.isError).toBeUndefined();
    expect(backendCalls).toBe(before);
  });

  const limits: [string, string, string][] = [
    ["an infinite loop", "while (true) {}", "code_mode.timeout"],
    [
      "an infinite loop in a catch-all",
      "for (;;) { try { while (true) {} } catch {} }",
      "code_mode.timeout",
    ],
    ["a doubling string (memory bomb)", "let s = 'x'; while (true) s += s;", "code_mode.memory"],
    [
      "an object memory bomb",
      "const keep = []; while (true) keep.push({ a: keep.length, b: [1, 2, 3] });",
      "code_mode",
    ],
    ["deep recursion", "const f = (n) => f(n + 1) + 1; return f(0);", "code_mode.stack"],
    ["a huge string returned", "return 'y'.repeat(1_000_000);", "code_mode.max_output"],
    ["a console flood", "for (let i = 0; ; i++) console.log('line', i);", "code_mode.max_output"],
    ["a script that awaits forever", "await new Promise(() => {});", "code_mode.timeout"],
    ["sleeping past the wall time", "await sleep(60000); return 1;", "code_mode.timeout"],
  ];
  for (const [name, code, limit] of limits) {
    test(`${name} ends with [CODE_LIMIT] naming ${limit}, and the gateway keeps serving`, async () => {
      const started = performance.now();
      const out = await run(code);
      expect(out.isError).toBe(true);
      expect(out.text).toStartWith("[CODE_LIMIT]");
      expect(out.text).toContain(limit);
      // The wall-time limit is 2.5 s; allow for a loaded machine (2 cores at load 20: 8 s was
      // close), never an unbounded hang (the cases above sleep 60 s or forever).
      expect(performance.now() - started).toBeLessThan(15_000);
      await stillServes();
    });
  }

  test("a native builtin stuck near the memory limit stalls only its worker, which is ended", async () => {
    // `fill` on growing arrays near the heap limit runs for seconds inside one QuickJS builtin,
    // where the interrupt handler never runs: only the worker's termination bounds it.
    const started = performance.now();
    let bombEnded = false;
    const bomb = run("const keep = []; while (true) keep.push(new Array(1e5).fill(1));").finally(
      () => {
        bombEnded = true;
      },
    );
    await Bun.sleep(200);
    // Meanwhile the gateway answers: before the bomb's worker is ended at code_mode.timeout (a
    // stalled event loop would answer only after it, wall-clock bounds aside).
    await stillServes();
    expect(bombEnded).toBe(false);
    const out = await bomb;
    expect(out.text).toStartWith("[CODE_LIMIT]");
    expect(performance.now() - started).toBeLessThan(15_000);
    await stillServes();
  });

  test("a tool call after the limit is refused and never reaches the backend", async () => {
    const before = backendCalls;
    const out = await run(`
      for (let i = 0; i < 10; i++) {
        try { await tools.fixture.echo({ message: String(i) }); } catch {}
      }
      return "swallowed the refusal";
    `);
    expect(out.text).toStartWith("[CODE_LIMIT]");
    expect(out.text).toContain("code_mode.max_calls");
    expect(backendCalls - before).toBe(3);
  });

  test("scripts in parallel each get their own context", async () => {
    const outs = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        run(`globalThis.mine = ${n}; await sleep(20); return globalThis.mine;`),
      ),
    );
    expect(outs.map((out) => out.data.result)).toEqual([1, 2, 3, 4]);
  });
});
