/**
 * An SRE's kill switch × Redis that forgets. The dashboard's Disable reached the other instances
 * only as a pub/sub message: an instance that started afterwards (each one of a rolling
 * restart), or one that could not hear Redis at that moment, served the backend the operator
 * had just switched off. A security switch that a restart turns back on fails open.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/client";
import { connectStateless, firstText, waitFor, writeConfig } from "../helpers.ts";
import { ALICE, authYaml, BOB, clusterYaml, type Running, useCluster } from "./_config.ts";
import { startInProcess } from "./_instances.ts";

setDefaultTimeout(90_000);

const yaml = (redisUrl: string, id: string) =>
  clusterYaml(
    redisUrl,
    id,
    "cluster-12-kill",
    authYaml({ alice: [ALICE, "admin: true"], bob: BOB }),
  );
const { redis, instances } = useCluster(yaml);

async function echoText(url: string, message: string): Promise<string> {
  const client: Client = await connectStateless(url, { key: BOB });
  try {
    const result = await client.callTool({
      name: "gateway_invoke",
      arguments: { server: "fixture", tool: "echo", arguments: { message } },
    });
    return firstText(result);
  } finally {
    await client.close();
  }
}

const act = (url: string, action: "disable" | "enable") =>
  fetch(`${url}/api/backends/fixture/${action}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ALICE}` },
  });

/** One more instance; with `listed`, once it lists the fixture's tools (a disabled one never does). */
async function startLate(id: string, listed = false): Promise<Running> {
  const [late] = await startInProcess((name) => writeConfig(yaml(redis.url, name)), {
    ids: [id],
    ...(listed ? { backend: "fixture" } : {}),
  });
  return late as Running;
}

const redisIs = (instance: Running, state: "connected" | "down") =>
  instance.cluster?.status().redis === state;

describe.skipIf(!Bun.which("redis-server"))("the kill switch × Redis and restarts", () => {
  test("an instance started after a Disable refuses the backend too", async () => {
    const [a, b] = instances as [Running, Running];
    expect((await act(a.url, "disable")).status).toBe(200);
    await waitFor(async () => (await echoText(b.url, "b")).includes("[BACKEND_DISABLED]"));
    // A rolling restart's new instance: it heard no announcement and served the backend.
    const c = await startLate("c");
    try {
      await waitFor(async () => (await echoText(c.url, "c")).includes("[BACKEND_DISABLED]"));
      expect((await act(b.url, "enable")).status).toBe(200);
      await waitFor(async () => (await echoText(a.url, "a")) === "a");
      await waitFor(async () => (await echoText(c.url, "c")) === "c");
    } finally {
      await c.stop();
    }
    // One that starts after the Enable serves the backend.
    const d = await startLate("d", true);
    try {
      expect(await echoText(d.url, "d")).toBe("d");
    } finally {
      await d.stop();
    }
  });

  test("a Disable made while Redis is down reaches the others when it is back, restarted empty", async () => {
    const [a, b] = instances as [Running, Running];
    await redis.kill();
    await waitFor(() => redisIs(a, "down") || !a.cluster?.connected);
    expect((await act(a.url, "disable")).status).toBe(200);
    expect(await echoText(b.url, "b meanwhile")).toBe("b meanwhile");
    await redis.restart();
    await waitFor(() => redisIs(a, "connected") && redisIs(b, "connected"), 20_000);
    // b never heard the announcement, and Redis had nothing: b kept serving the backend.
    await waitFor(async () => (await echoText(b.url, "b")).includes("[BACKEND_DISABLED]"), 20_000);
    const c = await startLate("e");
    try {
      await waitFor(async () => (await echoText(c.url, "e")).includes("[BACKEND_DISABLED]"));
    } finally {
      await c.stop();
    }
  });

  test("an Enable made while Redis is down wins over the older Disable when it is back", async () => {
    const [a, b] = instances as [Running, Running];
    await waitFor(async () => (await echoText(a.url, "a")).includes("[BACKEND_DISABLED]"));
    await redis.kill();
    await waitFor(() => !a.cluster?.connected && !b.cluster?.connected);
    expect((await act(b.url, "enable")).status).toBe(200);
    expect(await echoText(a.url, "a meanwhile")).toContain("[BACKEND_DISABLED]");
    await redis.restart();
    // a still held its Disable, older than b's Enable: both serve again, and neither put it back.
    await waitFor(async () => (await echoText(a.url, "a")) === "a", 20_000);
    expect(await echoText(b.url, "b")).toBe("b");
  });
});
