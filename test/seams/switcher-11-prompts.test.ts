/**
 * The original gateway names a backend's prompt `server/prompt` (its meta_mcp/protocol.rs);
 * a client or saved workflow that asks for that name gets the prompt here too (listed under
 * its own name), within the caller's scopes.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { type ConnectedClient, connectHttp, startEverythingGateway } from "../helpers.ts";

setDefaultTimeout(30_000);

let gateway: Awaited<ReturnType<typeof startEverythingGateway>>;
let session: ConnectedClient;
beforeAll(async () => {
  gateway = await startEverythingGateway();
  session = await connectHttp(gateway.url);
});
afterAll(async () => {
  await session?.close();
  await gateway?.stop();
});

describe("a prompt asked for by the original's name", () => {
  test("everything/simple-prompt is server-everything's simple-prompt", async () => {
    const listed = (await session.client.listPrompts()).prompts.map((prompt) => prompt.name);
    expect(listed).toContain("simple-prompt");
    const prompt = await session.client.getPrompt({ name: "everything/simple-prompt" });
    expect(JSON.stringify(prompt.messages)).toContain("simple prompt");
    await expect(session.client.getPrompt({ name: "nowhere/simple-prompt" })).rejects.toThrow(
      "not found",
    );
  });
});
