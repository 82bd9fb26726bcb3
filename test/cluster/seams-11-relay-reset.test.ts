/**
 * A relay whose connection the owner resets after the request was sent (it died as the call
 * started, or its process was killed between reading the request and answering). The relaying
 * instance took any failure as "the owner is unreachable" and adopted the session, running the
 * request again itself: a tool call's side effect twice. Now only a connection never made
 * (refused) leads to adoption; a reset one answers the client that the call may or may not
 * have run. The owner here is a TCP server that reads the request and resets the connection.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createServer, type Server } from "node:net";
import { sessionKey } from "../../src/cluster/relay.ts";
import {
  ALICE,
  authYaml,
  clusterYaml,
  connectRouted,
  echo,
  type Running,
  useCluster,
} from "./_config.ts";

setDefaultTimeout(60_000);

let fake: Server | undefined;
let fakeUrl = "";
/** Requests the fake owner read before resetting their connection. */
let received = 0;

beforeAll(async () => {
  fake = createServer((socket) => {
    socket.once("data", () => {
      received++;
      socket.resetAndDestroy();
    });
  }).listen(0, "127.0.0.1");
  await new Promise((resolve) => fake!.once("listening", resolve));
  fakeUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
});

afterAll(() => {
  fake?.close();
});

const { instances } = useCluster((redisUrl, id) =>
  clusterYaml(redisUrl, id, "seams-11-reset", authYaml({ alice: ALICE })),
);

describe.skipIf(!Bun.which("redis-server"))("a relay reset after it was sent", () => {
  test("the call is not run again by adopting the session; its client hears the outcome is unknown", async () => {
    const [a, b] = instances as [Running, Running];
    let target = a.url;
    const client = await connectRouted(() => target, { key: ALICE });
    try {
      expect(await echo(client, "on a")).toBe("on a");
      // The session's record now names an owner that resets whatever it is sent.
      const id = (client.transport as { sessionId?: string }).sessionId!;
      const record = JSON.parse((await a.cluster!.get(sessionKey(id)))!) as { owner: string };
      record.owner = fakeUrl;
      await a.cluster!.set(sessionKey(id), JSON.stringify(record), 60_000);
      target = b.url;
      const outcome = await echo(client, "relayed").catch(
        (error: Error) => `failed: ${error.message}`,
      );
      expect(received).toBeGreaterThan(0);
      expect(outcome).toStartWith("failed:");
      expect(outcome).toContain(fakeUrl);
      expect(outcome).toContain("may or may not have run");
    } finally {
      await client.close().catch(() => {});
    }
  });
});
