/**
 * An operator of a small team's gateway at the seams (round 9), in a cluster: the dashboard's
 * Disable (the kill switch) × instances behind a load balancer. The admin's click lands on one
 * instance; the backend must be disabled on every one, as a breaker that opens is, and Enable
 * on any instance brings it back everywhere. And the dashboard's login × the same balancer: a
 * login made on one instance works on the other, and a logout on either ends it on both.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/client";
import { connectStateless, firstText, tempDir, waitFor } from "../helpers.ts";
import { ALICE, authYaml, BOB, clusterYaml, type Running, useCluster } from "./_config.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const { instances } = useCluster((redisUrl, id) =>
  clusterYaml(
    redisUrl,
    id,
    "seams-9-operator",
    // gateway_reload_config is listed beside the core tools only when named.
    `${authYaml({ alice: [ALICE, "admin: true"], bob: BOB })}
meta_mcp: { operator_tools: [gateway_reload_config] }`,
  ),
);

async function echoText(client: Client, message: string): Promise<string> {
  const result = await client.callTool({
    name: "gateway_invoke",
    arguments: { server: "fixture", tool: "echo", arguments: { message } },
  });
  return firstText(result);
}

const act = (url: string, action: "disable" | "enable") =>
  fetch(`${url}/api/backends/fixture/${action}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ALICE}` },
  });

describe.skipIf(!Bun.which("redis-server"))("the dashboard's Disable × a cluster", () => {
  test("a backend disabled on one instance refuses calls on the other, and Enable on either brings it back", async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const onA = await connectStateless(a.url, { key: BOB });
    const onB = await connectStateless(b.url, { key: BOB });
    try {
      expect(await echoText(onB, "before")).toBe("before");
      expect((await act(a.url, "disable")).status).toBe(200);
      expect(await echoText(onA, "on a")).toContain("[BACKEND_DISABLED]");
      // The other instance kept calling the backend the operator had just switched off.
      await waitFor(async () => (await echoText(onB, "on b")).includes("[BACKEND_DISABLED]"));

      expect((await act(b.url, "enable")).status).toBe(200);
      await waitFor(async () => (await echoText(onA, "back on a")) === "back on a");
      expect(await echoText(onB, "back on b")).toBe("back on b");
    } finally {
      await onA.close();
      await onB.close();
    }
  });
});

/** Logs in to the dashboard at `url` with `key`: the cookie (`name=token`). */
async function logIn(url: string, key: string): Promise<string> {
  const response = await fetch(`${url}/ui/login`, {
    method: "POST",
    headers: { Origin: url, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ key }),
    redirect: "manual",
  });
  const cookie = response.headers.get("set-cookie") ?? "";
  expect(cookie).toContain("mcp_gateway_session=");
  return cookie.split(";")[0]!;
}

const statusWith = async (url: string, cookie: string) =>
  (await fetch(`${url}/api/status`, { headers: { Cookie: cookie } })).status;

describe.skipIf(!Bun.which("redis-server"))("the dashboard's login × a cluster", () => {
  test("a login made on one instance is good on the other; a logout on either ends it on both", async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const cookie = await logIn(a.url, ALICE);
    expect(await statusWith(a.url, cookie)).toBe(200);
    // 401 on every other request behind a round-robin balancer: the page kept asking for the key.
    expect(await statusWith(b.url, cookie)).toBe(200);

    const out = await fetch(`${b.url}/ui/logout`, {
      method: "POST",
      headers: { Origin: b.url, Cookie: cookie },
      redirect: "manual",
    });
    expect(out.status).toBeLessThan(400);
    expect(await statusWith(b.url, cookie)).toBe(401);
    expect(await statusWith(a.url, cookie)).toBe(401);
  });
});

describe.skipIf(!Bun.which("redis-server"))("gateway_reload_config × a cluster", () => {
  test("a reload asked through the operator tool is announced to the other instances, as POST /api/reload is", async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const onB = await connectStateless(b.url, { key: BOB });
    const admin = await connectStateless(a.url, { key: ALICE });
    try {
      expect(await echoText(onB, "before")).toBe("before");
      // The team puts every session without a profile on one that keeps the fixture out.
      for (const instance of [a, b]) {
        const file = instance.gateway.config.file!;
        const profile = "routing_profiles: { quiet: { deny_backends: [fixture] } }";
        writeFileSync(
          file,
          `${readFileSync(file, "utf8")}\n${profile}\ndefault_routing_profile: quiet\n`,
        );
      }
      const reloaded = await admin.callTool({ name: "gateway_reload_config", arguments: {} });
      expect(reloaded.isError).toBeFalsy();
      // b never re-read its file: bob kept calling the backend the profile now keeps out.
      // (A server the key cannot reach at all answers as one that does not exist.)
      await waitFor(async () => (await echoText(onB, "after")).includes("[SERVER_NOT_FOUND]"));
    } finally {
      await onB.close();
      await admin.close();
    }
  });
});

describe.skipIf(!Bun.which("redis-server"))("the dashboard's lock approval × a cluster", () => {
  let redis: RedisServer | undefined;
  const pair: Running[] = [];
  // Every instance's gateway.lock pins the fixture's echo to a definition it no longer has.
  const DRIFTED = `version: 1\nbackends:\n  fixture:\n    echo: "sha256:${"0".repeat(64)}"\n`;
  beforeAll(async () => {
    redis = await startRedis();
    const configFile = (id: string) => {
      const dir = tempDir("mcpgw-op9-lock-");
      writeFileSync(join(dir, "gateway.lock"), DRIFTED);
      const file = join(dir, "gateway.yaml");
      const auth = authYaml({ alice: [ALICE, "admin: true"], bob: BOB });
      writeFileSync(file, clusterYaml(redis!.url, id, "seams-9-lock", auth));
      return file;
    };
    pair.push(...((await startInProcess(configFile, { backend: "fixture" })) as Running[]));
  });
  afterAll(async () => {
    await Promise.all(pair.map((instance) => instance.stop()));
    await redis?.kill();
  });

  test("a tool approved on one instance is released on the other", async () => {
    const [a, b] = pair as [Running, Running];
    const onB = await connectStateless(b.url, { key: BOB });
    try {
      expect(await echoText(onB, "held")).toContain("[TOOL_QUARANTINED]");
      const approved = await fetch(`${a.url}/api/tools/fixture/echo/approve`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ALICE}` },
      });
      expect(((await approved.json()) as { released: boolean }).released).toBe(true);
      // b's lock still held the old digest: the tool stayed quarantined where bob's calls landed.
      await waitFor(async () => (await echoText(onB, "released")) === "released");
    } finally {
      await onB.close();
    }
  });
});
