/**
 * A reload × one instance cut off from Redis (the others reach it). A reload is announced
 * through Redis; the cut-off instance hears nothing, and re-reads its file only when Redis
 * answers again. A key revoked meanwhile (the file changed on every machine, a ConfigMap's
 * symlink swap that no file watcher sees) went on working there for as long as the cut lasted.
 * Now an instance that cannot reach Redis reads its file every 10 s and applies it when it
 * changed.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Socket, TCPSocketListener } from "bun";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { freePort, tempDir, waitFor } from "../helpers.ts";
import { ALICE, BOB, clusterYaml, initializeStatus, type Running } from "./_config.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(90_000);

let redis: RedisServer | undefined;
let proxy: TCPSocketListener | undefined;
let open = true;
let cutPort = 0;
const pipes = new Set<Socket<{ peer?: Socket }>>();
const instances: Running[] = [];
/** Each instance's config folder, mounted as Kubernetes mounts a ConfigMap (symlinks). */
const folders: string[] = [];

/**
 * A new version of a ConfigMap's file: written to a new folder, then the `..data` link swapped
 * to it in one rename; `gateway.yaml` is a link through `..data`, never written itself.
 */
function publish(folder: string, text: string, version: number): void {
  const data = join(folder, `..v${version}`);
  mkdirSync(data);
  writeFileSync(join(data, "gateway.yaml"), text);
  symlinkSync(`..v${version}`, join(folder, "..data_tmp"));
  renameSync(join(folder, "..data_tmp"), join(folder, "..data"));
}

const keys = (withBob: boolean) => `auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", admin: true }
${withBob ? `    - { name: bob, key: "${hashKey(BOB)}" }` : ""}`;

/** A TCP relay to Redis for instance b alone: closed, b is cut off while a still reaches it. */
async function startCut(target: number): Promise<number> {
  const port = await freePort();
  type Pipe = { peer?: Socket<Pipe>; early: Uint8Array[] };
  proxy = Bun.listen<Pipe>({
    hostname: "127.0.0.1",
    port,
    socket: {
      async open(client) {
        client.data = { early: [] };
        if (!open) {
          client.end();
          return;
        }
        pipes.add(client as Socket<{ peer?: Socket }>);
        const upstream = await Bun.connect<Pipe>({
          hostname: "127.0.0.1",
          port: target,
          socket: {
            data: (_, chunk) => void client.write(chunk),
            close: () => {
              client.end();
            },
            error: () => {
              client.end();
            },
          },
        });
        upstream.data = { peer: client, early: [] };
        pipes.add(upstream as Socket<{ peer?: Socket }>);
        client.data.peer = upstream;
        for (const chunk of client.data.early) upstream.write(chunk);
      },
      data: (client, chunk) => {
        if (client.data?.peer) client.data.peer.write(chunk);
        else client.data?.early.push(new Uint8Array(chunk));
      },
      close: (client) => {
        client.data?.peer?.end();
      },
      error: (client) => {
        client.data?.peer?.end();
      },
    },
  });
  return port;
}

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const cut = await startCut(redis.port);
  cutPort = cut;
  for (const [id, url] of [
    ["a", redis.url],
    ["b", `redis://127.0.0.1:${cut}`],
  ] as const) {
    const folder = tempDir("c12-configmap-");
    folders.push(folder);
    publish(folder, clusterYaml(url, id, "cluster-12-partition", keys(true)), 1);
    const file = join(folder, "gateway.yaml");
    symlinkSync("..data/gateway.yaml", file);
    instances.push(
      (await runGateway({
        config: loadConfig({ path: file }),
        port: await freePort(),
        memoryState: true,
        watch: false,
      })) as Running,
    );
  }
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  proxy?.stop(true);
  await redis?.kill();
});

describe.skipIf(!Bun.which("redis-server"))(
  "a reload while one instance is cut off from Redis",
  () => {
    test("a key revoked meanwhile stops working there too, before Redis is back", async () => {
      const [a, b] = instances as [Running, Running];
      expect(await initializeStatus(b.url, BOB)).toBe(200);
      // b is cut off from Redis; a is not.
      open = false;
      for (const socket of pipes) socket.end();
      await waitFor(() => !b.cluster!.connected);
      expect(a.cluster!.connected).toBe(true);
      // bob's key is revoked in the ConfigMap, which reaches every pod, and a reload asked of a.
      for (const [i, folder] of folders.entries()) {
        const url = i === 0 ? redis!.url : b.cluster && `redis://127.0.0.1:${cutPort}`;
        publish(
          folder,
          clusterYaml(url!, i === 0 ? "a" : "b", "cluster-12-partition", keys(false)),
          2,
        );
      }
      const reloaded = await fetch(`${a.url}/api/reload`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ALICE}` },
      });
      expect(reloaded.status).toBe(200);
      expect(await initializeStatus(a.url, BOB)).toBe(401);
      // b heard nothing: bob's key went on working there until Redis was back.
      await waitFor(async () => (await initializeStatus(b.url, BOB)) === 401, 30_000);
      expect(b.cluster!.connected).toBe(false);
    });
  },
);
