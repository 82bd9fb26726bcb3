import { describe, expect, test } from "bun:test";
import type { Tool } from "../../src/mcp/sdk.ts";
import { normalizeQuery } from "../../src/search/expand.ts";
import { ToolIndex } from "../../src/search/index.ts";

const top = (index: ToolIndex, query: string) =>
  index.search(query).map((hit) => `${hit.server}:${hit.tool.name}`);

/** A tool that sends a test event of one of these types. */
const simulate = (events: string[]): Tool => ({
  name: "simulate_event",
  description: "Send a test event to a webhook destination.",
  inputSchema: { type: "object", properties: { type: { type: "string", enum: events } } },
});

describe("a structured value the request quotes is a parameter's value", () => {
  // The same words in both: only one takes "subscription.canceled" as one value.
  const index = new ToolIndex();
  index.upsert("alpha", [simulate(["subscription.created", "transaction.canceled"])]);
  index.upsert("beta", [simulate(["subscription.canceled", "transaction.created"])]);

  test("the tool that takes the quoted value ranks first", () => {
    expect(top(index, "fire a test subscription.canceled event at our staging endpoint")[0]).toBe(
      "beta:simulate_event",
    );
    expect(top(index, "send a transaction.canceled test event")[0]).toBe("alpha:simulate_event");
  });

  test("the words alone do not decide it", () => {
    expect(top(index, "fire a test subscription canceled event")[0]).toBe("alpha:simulate_event");
  });
});

describe("of two tools named alike but for a word's number, a request about many wants the plural", () => {
  const index = new ToolIndex();
  index.upsert("quality", [
    {
      name: "markIssueWontFix",
      description: "Mark an issue as won't fix",
      inputSchema: { type: "object", properties: { issue_key: { type: "string" } } },
    },
    {
      name: "markIssuesWontFix",
      description: "Mark multiple issues as won't fix (bulk operation)",
      inputSchema: { type: "object", properties: { issue_keys: { type: "array" } } },
    },
  ]);

  test.each([
    "we accept these 12 code smells, close them all as won't fix",
    "close 3 code smells as won't fix",
  ])("%s", (query) => {
    expect(top(index, query)[0]).toBe("quality:markIssuesWontFix");
  });

  test("a request about one keeps the singular", () => {
    expect(top(index, "close this code smell as won't fix")[0]).toBe("quality:markIssueWontFix");
  });
});

describe("a verb done again is the tool's re- verb, where a tool has one", () => {
  const tool = (name: string, description: string): Tool => ({
    name,
    description,
    inputSchema: { type: "object", properties: { issue_key: { type: "string" } } },
  });
  const index = new ToolIndex();
  index.upsert("quality", [
    tool("issues", "Search and filter issues by severity, status and assignee"),
    tool("resolveIssue", "Resolve an issue"),
    tool("reopenIssue", "Reopen an issue"),
  ]);

  test('"open it again" reopens', () => {
    expect(top(index, "the issue was closed by mistake, open it again")[0]).toBe(
      "quality:reopenIssue",
    );
  });

  test('"open" alone does not', () => {
    expect(top(index, "which issues are open")[0]).toBe("quality:issues");
  });
});

describe("a URL's site names its server, where one is indexed", () => {
  const index = new ToolIndex();
  index.upsert("reddit", [
    {
      name: "get_post_details",
      description: "Fetch a post with its comments.",
      inputSchema: { type: "object", properties: { url: { type: "string" } } },
    },
  ]);
  index.upsert("docs", [
    {
      name: "getComment",
      description: "Get a comment of a thread in a document, with its replies.",
      inputSchema: { type: "object", properties: { documentId: { type: "string" } } },
    },
  ]);

  test("the site's server ranks first", () => {
    expect(
      top(
        index,
        "read the comments on this thread https://www.reddit.com/r/rust/comments/abc123/",
      )[0],
    ).toBe("reddit:get_post_details");
  });

  test("a site no server is named for adds no word", () => {
    expect(normalizeQuery("read https://www.example.co.uk/a", () => false)).toBe("read  url ");
    expect(normalizeQuery("read https://www.example.co.uk/a", () => true)).toBe(
      "read  url example ",
    );
  });
});

describe("a pasted coordinate pair is a latitude and a longitude", () => {
  const index = new ToolIndex();
  index.upsert("maps", [
    {
      name: "reverse_geocode_tool",
      description: "Convert coordinates into a human-readable address or place name.",
      inputSchema: {
        type: "object",
        properties: { latitude: { type: "number" }, longitude: { type: "number" } },
      },
    },
  ]);
  index.upsert("billing", [
    {
      name: "list_addresses",
      description: "List the addresses of a customer.",
      inputSchema: { type: "object", properties: { customerId: { type: "string" } } },
    },
  ]);

  test("the tool that takes them ranks first", () => {
    expect(top(index, "what's the street address at 40.7484, -73.9857")[0]).toBe(
      "maps:reverse_geocode_tool",
    );
    expect(normalizeQuery("at 40.7484, -73.9857 now")).toBe("at  latitude longitude  now");
  });

  test("a version or a price is not", () => {
    expect(normalizeQuery("upgrade 1.2, 3.4")).not.toContain("latitude");
    expect(normalizeQuery("charge 40.75")).not.toContain("latitude");
  });
});
