import { describe, expect, test } from "bun:test";
import type { Tool } from "../../src/mcp/sdk.ts";
import { hintsFor } from "../../src/search/hints.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { TOOLS } from "./fixtures.ts";

const tool = (name: string, description: string): Tool => ({
  name,
  description,
  inputSchema: { type: "object" },
});

const top = (index: ToolIndex, query: string) =>
  index.search(query).map((hit) => `${hit.server}:${hit.tool.name}`);

describe("a server nobody wrote hints for, beside servers that have them", () => {
  // The Git host's hints mention a notes file, as example requests do; the files server has none.
  const index = new ToolIndex(
    hintsFor(false, {
      "github:create_issue": ["file a bug: the notes page crashes"],
      "github:list_issues": ["what bugs are open about the notes file"],
    }),
  );
  for (const [server, tools] of Object.entries(TOOLS)) index.upsert(server, tools);

  test("its tool is not outranked on words only another tool's hints hold", () => {
    expect(top(index, "what does the notes file say")[0]).toBe("files:read_text_file");
  });

  test("the hinted tool still comes first for what its hints ask", () => {
    expect(top(index, "which bugs are open about the notes file")[0]).toBe("github:list_issues");
  });
});

describe("what a question asks beyond its words", () => {
  const index = new ToolIndex();
  index.upsert("chat", [
    tool("list_channels", "List the channels of the workspace."),
    tool("list_users", "List the users of the workspace."),
  ]);
  index.upsert("exports", [
    tool("get_export", "Get the download link of an export."),
    tool("export_status", "The status of an export job."),
  ]);

  test('"who ..." asks for people', () => {
    expect(top(index, "who's in our workspace?")[0]).toBe("chat:list_users");
  });

  test('"is ... finished yet" asks for a status', () => {
    expect(top(index, "is my export finished yet?")[0]).toBe("exports:export_status");
    expect(top(index, "get the export's download link")[0]).toBe("exports:get_export");
  });
});

describe("a word the tool says itself counts more than a synonym of it", () => {
  const index = new ToolIndex();
  for (const [server, tools] of Object.entries(TOOLS)) index.upsert(server, tools);

  test.each(["find a file", "fetch the file"])(
    '"%s": the file tools before a tool that has only a synonym of the verb',
    (query) => {
      const servers = index.search(query, { limit: 2 }).map((hit) => hit.server);
      expect(servers).toEqual(["files", "files"]);
    },
  );
});

test("renaming something is an update of it", () => {
  const index = new ToolIndex();
  index.upsert("base", [
    tool("create_field", "Create a field in a table."),
    tool("update_field", "Update a field's name, type or description."),
    tool("get_status", "Get the status of the base."),
  ]);
  expect(top(index, "rename the Status field to Stage")[0]).toBe("base:update_field");
});

describe("a request that says one thing twice", () => {
  // "make" and "new" are synonyms of each other, and both of "insert", which few tools are named.
  const index = new ToolIndex();
  index.upsert("docs", [
    tool("createDocument", "Creates a new empty document, optionally with initial text."),
    tool("createFolder", "Creates a new folder in the drive."),
    tool("createComment", "Creates a comment on a document."),
    tool("createSheet", "Creates a spreadsheet in the drive."),
    tool("createEvent", "Creates an event on the calendar."),
    tool("createLabel", "Creates a label."),
    tool("createTask", "Creates a task."),
    tool("insertImage", "Inserts an image at a position in a document."),
    tool("readDocument", "Reads the text of a document, to make a summary of it."),
    tool("listDocuments", "Lists the documents in a folder."),
  ]);

  test("'make a new' counts a synonym of both once: what creates ranks above what inserts", () => {
    expect(top(index, "make a new doc").slice(0, 2)).toEqual([
      "docs:createDocument",
      "docs:createFolder",
    ]);
  });
});
