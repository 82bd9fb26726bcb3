/**
 * Mechanisms that rank tools of servers nobody wrote hints for (issue #21, round 5): each reads
 * the catalog itself (server names, parameters), never a word list written for one server.
 */
import { describe, expect, test } from "bun:test";
import { normalizeQuery } from "../../src/search/expand.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { tool } from "./fixtures.ts";

const top = (index: ToolIndex, query: string) =>
  index.search(query).map((hit) => `${hit.server}:${hit.tool.name}`);

describe("the short form of a server's name its own tools use names the server", () => {
  const index = new ToolIndex();
  index.upsert("argocd", [
    tool("get_application", "Get an Argo CD application by name", { name: { type: "string" } }),
    tool("list_applications", "List the applications Argo CD manages"),
  ]);
  index.upsert("deployer", [
    tool("get_application_status", "Get the deployment status of an application"),
    tool("list_files", "List files in a directory"),
  ]);
  index.upsert("filesystem", [tool("read_file", "Read a file")]);

  test("'argo' is argocd, 'file' is no server's", () => {
    expect(index.shortServerName("argo")).toBe("argocd");
    // "file" begins `filesystem`, but other servers' tools say it as much.
    expect(index.shortServerName("file")).toBeUndefined();
    expect(index.shortServerName("arg")).toBeUndefined();
  });

  test("a request that says the short form ranks that server's tool first", () => {
    expect(top(index, "status of the payments application in argo")[0]).toBe(
      "argocd:get_application",
    );
  });

  test("without it, the other server's closer name wins", () => {
    expect(top(index, "status of the payments application")[0]).toBe(
      "deployer:get_application_status",
    );
  });
});

describe("a short abbreviation and a word across a slash are a pair of words, not owner/repo", () => {
  const words = (query: string) => normalizeQuery(query).trim().split(/\s+/);

  test("'lat/long' stays; 'facebook/react' and 'ms/vscode-x' are still repositories", () => {
    expect(words("lat/long for 1600 Pennsylvania Ave")).toEqual(
      "lat/long for 1600 Pennsylvania Ave".split(" "),
    );
    expect(words("issues in facebook/react")).toEqual("issues in repository".split(" "));
    expect(words("star ms/vscode-x")).toEqual(["star", "repository"]);
  });

  test("the geocoder, not a repository search, answers 'lat/long for an address'", () => {
    const index = new ToolIndex();
    index.upsert("maps", [
      tool("geocode", "Find the latitude and longitude (lat/long) of an address"),
      tool("directions", "Directions between two places"),
    ]);
    index.upsert("code", [tool("search_repositories", "Search for repositories")]);
    expect(top(index, "lat/long for 1600 Pennsylvania Ave")[0]).toBe("maps:geocode");
  });
});

describe("a yes/no question about a thing asks for its status", () => {
  const index = new ToolIndex();
  index.upsert("quality", [
    tool("quality_gate", "Get the quality gate of a project: its conditions", {
      project: { type: "string" },
    }),
    tool("quality_gate_status", "Get the quality gate status of a project", {
      project: { type: "string" },
    }),
  ]);

  test("'did main pass the quality gate?' wants the status", () => {
    expect(top(index, "did main pass the quality gate?")[0]).toBe("quality:quality_gate_status");
  });

  test("a request for the gate itself keeps the gate", () => {
    expect(top(index, "show the quality gate of main")[0]).toBe("quality:quality_gate");
  });
});

describe("a server's short name follows the servers indexed", () => {
  test("once the server is gone, its short name names nothing", () => {
    const index = new ToolIndex();
    index.upsert("argocd", [tool("sync_application", "Sync an Argo CD application")]);
    index.upsert("deployer", [tool("sync_app", "Sync an app")]);
    expect(index.shortServerName("argo")).toBe("argocd");
    index.remove("argocd");
    expect(index.shortServerName("argo")).toBeUndefined();
  });

  test("hints are not the server's own words: other servers' examples do not outvote it", () => {
    const index = new ToolIndex((server) =>
      server === "deployer" ? "roll it out like argo would" : undefined,
    );
    index.upsert("argocd", [tool("sync_application", "Sync an Argo CD application")]);
    index.upsert("deployer", [tool("sync_app", "Sync an app"), tool("roll_out", "Roll out")]);
    expect(index.shortServerName("argo")).toBe("argocd");
  });
});

describe("a verb no list knows, before 'a' thing, makes that thing", () => {
  // As a document server writes them.
  const index = new ToolIndex();
  index.upsert("docs", [
    tool("addComment", "Adds a comment to the document at the specified text range.", {
      documentId: { type: "string" },
      content: { type: "string" },
    }),
    tool("listComments", "Lists all comments in a document with their IDs, authors and status.", {
      documentId: { type: "string" },
    }),
    tool(
      "applyParagraphStyle",
      "Applies paragraph-level formatting (alignment, spacing, heading styles) to paragraphs.",
      { documentId: { type: "string" }, style: { type: "object" } },
    ),
  ]);

  test("'leave a comment on the intro paragraph' adds one", () => {
    expect(top(index, "leave a comment on the intro paragraph saying it needs a source")[0]).toBe(
      "docs:addComment",
    );
  });

  test("a known read verb still reads", () => {
    expect(top(index, "show the comments on the intro paragraph")[0]).toBe("docs:listComments");
  });
});

describe("a request about nothing the catalog knows still finds nothing", () => {
  const index = new ToolIndex();
  index.upsert("fx", [
    tool("create_item", "Create an item"),
    tool("get_status", "Get the status of a job"),
  ]);

  test.each(["summon a dragon", "is the dragon asleep?", "did the wizard vanish"])(
    "%s",
    (query) => {
      expect(top(index, query)).toEqual([]);
    },
  );
});

describe("'who' asks for people, in the plural", () => {
  const index = new ToolIndex();
  index.upsert("wiki", [
    tool("get-user", "Retrieve a user", { user_id: { type: "string" } }),
    tool("get-users", "List all users"),
    tool("get-self", "Retrieve your token's bot user"),
  ]);

  test("'who's in our workspace?' lists the users", () => {
    expect(top(index, "who's in our workspace?")[0]).toBe("wiki:get-users");
  });
});
