/**
 * A config applied to one instance only (its file edited and reloaded there, or a ConfigMap
 * that reached one pod first). Every instance is meant to run the same file; nothing said when
 * they did not, and a client then got a key accepted on one instance and refused on the next
 * (counted there as a wrong key). Each instance now announces its config's digest, logs an
 * instance that runs another, and `/health` lists them (`cluster.configDrift`).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { waitFor } from "../helpers.ts";
import { clusterYaml, type Running, useCluster } from "./_config.ts";

setDefaultTimeout(60_000);

// c runs a's config; b has one more line (the file edited on b's machine only).
const { instances } = useCluster(
  (redisUrl, id) =>
    clusterYaml(redisUrl, id, "seams-11-drift", id === "b" ? "log_level: warn" : ""),
  { ids: ["a", "b", "c"], backend: "fixture" },
);

interface Health {
  cluster: { instance: string; config: string; configDrift?: { instance: string }[] };
}
const health = async (instance: Running) =>
  (await (await fetch(`${instance.url}/health`)).json()) as Health;
const apart = async (instance: Running) =>
  ((await health(instance)).cluster.configDrift ?? []).map((entry) => entry.instance).sort();

describe.skipIf(!Bun.which("redis-server"))("instances running different configs", () => {
  test("each names the instances whose config differs from its own", async () => {
    const [a, b, c] = instances as [Running, Running, Running];
    await waitFor(async () => (await apart(b)).length === 2);
    expect(await apart(b)).toEqual(["a", "c"]);
    await waitFor(async () => (await apart(a)).length === 1);
    expect(await apart(a)).toEqual(["b"]);
    await waitFor(async () => (await apart(c)).length === 1);
    expect(await apart(c)).toEqual(["b"]);
    expect((await health(a)).cluster.config).toBe((await health(c)).cluster.config);
    expect((await health(a)).cluster.config).not.toBe((await health(b)).cluster.config);
  });
});
