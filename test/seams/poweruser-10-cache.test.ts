import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  cleanupsAfterAll,
  connectHttp,
  FILESYSTEM,
  firstText,
  MEMORY,
  startGateway,
  tempDir,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();

describe("the response cache (on by default) × a write through the same backend", () => {
  test("a read after a write answers what the write left, in the same session and another", async () => {
    const dir = tempDir("poweruser-cache-");
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "version 1");
    const gateway = await startGateway(
      [
        "capabilities: { enabled: false }",
        "backends:",
        `  files: { command: node, args: ["${FILESYSTEM}", "${dir}"] }`,
        `  memory: { command: node, args: ["${MEMORY}"], env: { MEMORY_FILE_PATH: "${join(dir, "memory.jsonl")}" } }`,
        "",
      ].join("\n"),
    );
    cleanups.push(() => gateway.stop());
    const [editor, reviewer] = [await connectHttp(gateway.url), await connectHttp(gateway.url)];
    cleanups.push(
      () => editor.close(),
      () => reviewer.close(),
    );
    const invoke = async (
      session: typeof editor,
      server: string,
      tool: string,
      args: Record<string, unknown>,
    ) => {
      const result = await session.client.callTool({
        name: "gateway_invoke",
        arguments: { server, tool, arguments: args },
      });
      expect(result.isError ? firstText(result) : "").toBe("");
      return firstText(result);
    };

    // server-filesystem's read_text_file and list_directory are read-only (cached); writes are not.
    expect(await invoke(editor, "files", "read_text_file", { path: notes })).toBe("version 1");
    await invoke(editor, "files", "write_file", { path: notes, content: "version 2" });
    expect(await invoke(editor, "files", "read_text_file", { path: notes })).toBe("version 2");
    expect(await invoke(reviewer, "files", "read_text_file", { path: notes })).toBe("version 2");
    expect(await invoke(reviewer, "files", "list_directory", { path: dir })).not.toContain("sub");
    await invoke(editor, "files", "create_directory", { path: join(dir, "sub") });
    expect(await invoke(reviewer, "files", "list_directory", { path: dir })).toContain("[DIR] sub");

    // server-memory's read_graph, after create_entities from another session.
    expect(await invoke(reviewer, "memory", "read_graph", {})).not.toContain("Ada");
    await invoke(editor, "memory", "create_entities", {
      entities: [{ name: "Ada", entityType: "person", observations: ["prefers tea"] }],
    });
    expect(await invoke(reviewer, "memory", "read_graph", {})).toContain("prefers tea");

    // Reads with no write between them are still served from the cache.
    const before = await invoke(reviewer, "files", "read_text_file", { path: notes });
    writeFileSync(notes, "changed behind the gateway's back");
    expect(await invoke(reviewer, "files", "read_text_file", { path: notes })).toBe(before);
  }, 60_000);
});
