/**
 * Mechanisms that rank tools of servers nobody wrote hints for (issue #21, round 6): each reads
 * the catalog itself or the request's structure, never a word list written for one server.
 */
import { describe, expect, test } from "bun:test";
import { normalizeQuery } from "../../src/search/expand.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { tool } from "./fixtures.ts";

const top = (index: ToolIndex, query: string) =>
  index.search(query).map((hit) => `${hit.server}:${hit.tool.name}`);

describe("a product word most of one server's tools say names that server", () => {
  const index = new ToolIndex();
  index.upsert("lark", [
    tool("im_message_create", "Send a message to a Feishu/Lark chat", { chat: { type: "string" } }),
    tool("im_chat_list", "List the Feishu/Lark group chats the bot is in"),
    tool("docx_read", "Read a Feishu/Lark document"),
  ]);
  index.upsert("slack", [
    tool("post_message", "Post a message to a channel or a group", { channel: { type: "string" } }),
    tool("list_channels", "List channels"),
  ]);
  index.upsert("charts", [
    tool("bar_chart", "Draw a bar chart"),
    tool("line_chart", "Draw a line chart"),
    tool("pie_chart", "Draw a pie chart"),
  ]);

  test("'feishu' stands for lark; an English word ('draw') for no server", () => {
    expect(index.productOf("feishu")).toEqual(["lark"]);
    expect(index.productOf("messag")).toBeUndefined();
    // "draw" is a product word by the numbers, but a word of the language: expansion skips it.
    expect(top(index, "draw a bar chart")[0]).toBe("charts:bar_chart");
  });

  test("a request that names the product (capitalised, as names are) ranks its server's tool first", () => {
    expect(top(index, "send a message in Feishu to the launch group")[0]).toBe(
      "lark:im_message_create",
    );
  });

  test("without the product's name, the closer wording of the other server wins", () => {
    expect(top(index, "post a message to the launch group")[0]).toBe("slack:post_message");
  });
  test("follows the servers indexed: a server re-listed without the word, or removed, loses it", () => {
    const changing = new ToolIndex();
    const lark = ["a", "b", "c"].map((name) => tool(`tool_${name}`, `Do ${name} in Feishu`));
    changing.upsert("lark", lark);
    expect(changing.productOf("feishu")).toEqual(["lark"]);
    changing.upsert("other", [tool("feishu_bridge", "Relay Feishu messages")]);
    // Three of the four tools that say it are lark's: under the 0.9 it takes.
    expect(changing.productOf("feishu")).toBeUndefined();
    changing.remove("other");
    expect(changing.productOf("feishu")).toEqual(["lark"]);
    changing.upsert("lark", [tool("tool_a", "Do a"), ...lark.slice(1)]);
    expect(changing.productOf("feishu")).toEqual(["lark"]);
    changing.upsert("lark", lark.slice(2));
    expect(changing.productOf("feishu")).toBeUndefined();
    changing.remove("lark");
    expect(changing.productOf("feishu")).toBeUndefined();
  });
});

describe("what a request dictates ('saying ...') is its content, as quoted text is", () => {
  const words = (query: string) => normalizeQuery(query).trim().split(/\s+/);

  test("the message goes; a question about what was said keeps it", () => {
    expect(words("post an update on the launch item saying we're blocked on legal")).toEqual(
      "post an update on the launch item".split(" "),
    );
    expect(words("what were people saying in the slack channel")).toContain("channel");
    expect(words("saying hello")).toEqual(["saying", "hello"]);
  });

  test("the message's words do not pull the request to another tool", () => {
    const index = new ToolIndex();
    index.upsert("board", [
      tool("create_update", "Post an update on an item", { item: { type: "string" } }),
      tool("block_item", "Mark an item as blocked by legal review"),
    ]);
    expect(top(index, "post an update on the launch item saying we're blocked on legal")[0]).toBe(
      "board:create_update",
    );
  });
});

describe("a sentence that asks for nothing, beside one that asks, is context", () => {
  const index = new ToolIndex();
  index.upsert("tracker", [
    tool("create_issue", "Create an issue in a project", { title: { type: "string" } }),
  ]);
  index.upsert("settings", [
    tool("set_dark_mode", "Toggle dark mode", { enabled: { type: "boolean" } }),
  ]);
  // Other tools, so that words are as rare as in a real catalog.
  index.upsert(
    "other",
    ["list_files", "read_file", "send_email", "get_weather", "search_web", "list_users"].map(
      (name) => tool(name, `${name.replace("_", " ")} for a project`),
    ),
  );
  const request =
    "can you open a ticket in the tracker for me? the dark mode toggle doesnt stick after a reload";

  test("the asking sentence decides the tool", () => {
    expect(top(index, request)[0]).toBe("tracker:create_issue");
  });

  test("one sentence alone keeps all its words", () => {
    expect(top(index, "the dark mode toggle doesnt stick after a reload")[0]).toBe(
      "settings:set_dark_mode",
    );
  });
});
