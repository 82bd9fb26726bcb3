/**
 * A dashboard logout × Redis unreachable for a moment (paused, or cut off from the instance
 * that took the logout), its data kept. The logout deleted the login only here and tried to in
 * Redis, which did not answer; once Redis answered again it still held the login, and the
 * logged-out cookie worked again on every instance: a logout on a shared machine undone by a
 * blip. The instance now remembers the logouts Redis missed and makes them when it answers.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { waitFor, writeConfig } from "../helpers.ts";
import { ALICE, authYaml, clusterYaml, type Running } from "./_config.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

let redis: RedisServer | undefined;
let instances: Running[] = [];

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const port = redis.port;
  instances = (await startInProcess((id) =>
    writeConfig(
      clusterYaml(
        `redis://127.0.0.1:${port}`,
        id,
        "cluster-12-logout",
        authYaml({ alice: [ALICE, "admin: true"] }),
      ),
    ),
  )) as Running[];
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

async function logIn(url: string): Promise<string> {
  const response = await fetch(`${url}/ui/login`, {
    method: "POST",
    headers: { Origin: url, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ key: ALICE }),
    redirect: "manual",
  });
  return (response.headers.get("set-cookie") ?? "").split(";")[0]!;
}

const statusWith = async (url: string, cookie: string) =>
  (await fetch(`${url}/api/status`, { headers: { Cookie: cookie } })).status;

describe.skipIf(!Bun.which("redis-server"))("a logout while Redis does not answer", () => {
  test("holds once Redis answers again, on every instance", async () => {
    const [a, b] = instances as [Running, Running];
    const cookie = await logIn(a.url);
    expect(await statusWith(b.url, cookie)).toBe(200);
    redis!.signal("SIGSTOP");
    // Paused: the next command times out, and b counts Redis as down.
    await b.cluster!.get("anything");
    await waitFor(() => !b.cluster!.connected);
    const out = await fetch(`${b.url}/ui/logout`, {
      method: "POST",
      headers: { Origin: b.url, Cookie: cookie },
      redirect: "manual",
    });
    expect(out.status).toBeLessThan(400);
    redis!.signal("SIGCONT");
    await waitFor(() => a.cluster!.connected && b.cluster!.connected, 20_000);
    await Bun.sleep(300);
    expect(await statusWith(b.url, cookie)).toBe(401);
    expect(await statusWith(a.url, cookie)).toBe(401);
  });
});
