/**
 * The per-address connection cap (`server.max_connections_per_address`) × the session relay:
 * behind a balancer in `server.trusted_proxies`, a request relayed by another instance counts
 * for the client it comes from, as it did where it arrived, not for the relaying instance's
 * address (before, every session call and stream relayed from one instance shared one
 * address's allowance on the owner: past it the owner answered 503 to unrelated clients).
 *
 * On loopback the balancer is told apart from the instances by family: clients come through
 * `[::1]` (the trusted balancer, with `X-Forwarded-For`), relays between instances over
 * 127.0.0.1 (not trusted).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { BUN, FIXTURE_SERVER, firstText, freePort, waitFor, writeConfig } from "../helpers.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

let redis: RedisServer;
const instances: (RunningGateway & { url: string; port: number })[] = [];

function yaml(redisUrl: string, id: string, port: number): string {
  return `
capabilities: { enabled: false }
server: { host: "::", max_connections_per_address: 3, trusted_proxies: ["::1"] }
cluster:
  redis_url: "${redisUrl}"
  instance_id: ${id}
  key_prefix: "seams-address-${process.pid}:"
  advertise_url: "http://127.0.0.1:${port}"
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;
}

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  for (const id of ["a", "b"]) {
    const port = await freePort();
    const running = await runGateway({
      config: loadConfig({ path: writeConfig(yaml(redis.url, id, port)) }),
      port,
      memoryState: true,
      watch: false,
    });
    await waitFor(() => running.gateway.index.tools("fixture").length > 0);
    instances.push(running as RunningGateway & { url: string; port: number });
  }
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

/**
 * The SDK's 2025-11-25 client as the client at `address` behind the balancer: its session
 * opens on instance a, every later request goes to b (and is relayed to a).
 */
/** (`extra.direct`: every request to a, none relayed.) */
async function clientAt(address: string, extra: Record<string, string> = {}): Promise<Client> {
  const [a, b] = instances;
  const relay = !("direct" in extra);
  let opened = false;
  const routed = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    url.hostname = "[::1]";
    url.port = `${opened && relay ? b!.port : a!.port}`;
    opened = true;
    return fetch(url, init);
  };
  const client = new Client({ name: address, version: "1" }, { capabilities: {} });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`http://[::1]:${a!.port}/mcp/fixture`), {
      requestInit: { headers: { "X-Forwarded-For": address, ...extra } },
      fetch: routed,
    }),
  );
  return client;
}

describe.skipIf(!Bun.which("redis-server"))(
  "relayed requests × max_connections_per_address",
  () => {
    test("four clients' calls relayed at once each count for their own address on the owner", async () => {
      const clients = await Promise.all(
        ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"].map((address) => clientAt(address)),
      );
      try {
        const results = await Promise.all(
          clients.map((client) =>
            client.callTool({ name: "slow", arguments: { steps: 3, delayMs: 150 } }),
          ),
        );
        expect(results.map(firstText)).toEqual(["done 3", "done 3", "done 3", "done 3"]);
      } finally {
        await Promise.all(clients.map((client) => client.close().catch(() => {})));
      }
    });

    test("a client's own x-mcp-gateway-client-address is not believed (it buys no allowance)", async () => {
      // Four clients at one address, each naming another in the header: past 3 open requests
      // (their streams and calls) the address is refused, whatever the header says.
      const opened: Client[] = [];
      const outcomes = await Promise.allSettled(
        ["10.9.0.1", "10.9.0.2", "10.9.0.3", "10.9.0.4"].map(async (forged) => {
          const client = await clientAt("10.0.0.9", {
            direct: "1",
            "x-mcp-gateway-client-address": forged,
          });
          opened.push(client);
          return client.callTool({ name: "slow", arguments: { steps: 3, delayMs: 150 } });
        }),
      );
      await Promise.all(opened.map((client) => client.close().catch(() => {})));
      const refused = outcomes.filter((outcome) => outcome.status === "rejected");
      expect(refused.length).toBeGreaterThan(0);
      expect(String((refused[0] as PromiseRejectedResult).reason)).toContain(
        "10.0.0.9 has 3 requests open",
      );
    });
  },
);
