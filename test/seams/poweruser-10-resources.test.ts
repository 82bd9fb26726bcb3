import { describe, expect, test } from "bun:test";
import { cleanupsAfterAll, connectHttp, startEverythingGateway } from "../helpers.ts";

const cleanups = cleanupsAfterAll();

describe("a resource link to what a tool just made (server-everything's gzip-file-as-resource)", () => {
  test("is read (and subscribed to) through /mcp, though the client listed resources before", async () => {
    const gateway = await startEverythingGateway();
    cleanups.push(() => gateway.stop());
    const session = await connectHttp(gateway.url);
    cleanups.push(() => session.close());
    const { client } = session;
    // A client lists resources when it connects; the gateway learns who owns which URI then.
    const before = await client.listResources();
    expect(before.resources.some((r) => r.uri.includes("/session/"))).toBe(false);

    const made = await client.callTool({
      name: "gateway_invoke",
      arguments: {
        server: "everything",
        tool: "gzip-file-as-resource",
        arguments: {
          name: "notes.gz",
          data: `data:text/plain;base64,${Buffer.from("hello from the model").toString("base64")}`,
          outputType: "resourceLink",
        },
      },
    });
    expect(made.isError).toBeFalsy();
    const link = (made.content as { type: string; uri?: string }[]).find(
      (block) => block.type === "resource_link",
    );
    expect(link?.uri).toBe("demo://resource/session/notes.gz");

    // The model follows the link at once, as the result invites it to.
    const read = await client.readResource({ uri: link!.uri! });
    expect(read.contents[0]?.uri).toBe(link!.uri!);
    expect(read.contents[0]).toHaveProperty("blob");
    await client.subscribeResource({ uri: link!.uri! });

    // A URI that no backend has is still not found, in the same words.
    await expect(client.readResource({ uri: "demo://resource/session/none.gz" })).rejects.toThrow(
      "Resource not found: demo://resource/session/none.gz",
    );
  }, 30_000);
});
