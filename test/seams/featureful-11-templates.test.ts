/**
 * Two instances of one server (two accounts of the same service) behind /mcp: both list the
 * resource template `note://{name}`. The second's is listed under `gateway://<backend>/`, as a
 * clashing resource is, so that its resources can be read and completed at all; listed bare
 * twice, every read went to the first.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BUN, cleanupsAfterAll, connectHttp, FIXTURES, startGateway } from "../helpers.ts";

const SERVER = join(FIXTURES, "servers/featureful-11-server.ts");
const cleanups = cleanupsAfterAll();

const backend = (name: string) =>
  `  ${name}:\n    command: ${JSON.stringify(BUN)}\n    args: [${JSON.stringify(SERVER)}]\n    env: { LABEL: ${name} }\n`;

describe("the same resource template from two backends", () => {
  test("is listed once bare and once namespaced, and each reaches its own backend", async () => {
    const gateway = await startGateway(
      `capabilities: { enabled: false }\nbackends:\n${backend("work")}${backend("home")}`,
    );
    cleanups.push(() => gateway.stop());
    const { client, close } = await connectHttp(gateway.url);
    cleanups.push(close);
    const listed = await client.listResourceTemplates();
    expect(listed.resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      "note://{name}",
      "gateway://home/note://{name}",
    ]);
    const read = async (uri: string) =>
      (await client.readResource({ uri })).contents.map((c) => [
        c.uri,
        (c as { text: string }).text,
      ]);
    expect(await read("note://x")).toEqual([["note://x", "the note note://x from work"]]);
    expect(await read("gateway://home/note://x")).toEqual([
      ["gateway://home/note://x", "the note note://x from home"],
    ]);
    const complete = async (uri: string) =>
      (
        await client.complete({
          ref: { type: "ref/resource", uri },
          argument: { name: "name", value: "" },
        })
      ).completion.values;
    expect(await complete("note://{name}")).toEqual(["work-al"]);
    expect(await complete("gateway://home/note://{name}")).toEqual(["home-al"]);
  }, 60_000);
});
