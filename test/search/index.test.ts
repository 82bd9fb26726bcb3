import { beforeEach, describe, expect, test } from "bun:test";
import { ToolIndex } from "../../src/search/index.ts";
import { TOOLS } from "./fixtures.ts";

let index: ToolIndex;
beforeEach(() => {
  index = new ToolIndex();
  for (const [server, tools] of Object.entries(TOOLS)) index.upsert(server, tools);
});

const top = (query: string, options = {}) =>
  index.search(query, options).map((hit) => `${hit.server}:${hit.tool.name}`);

describe("ranking on a small fixed set", () => {
  test.each([
    ["open a new github issue", "github:create_issue"],
    ["show me the open issues", "github:list_issues"],
    ["make a pull request", "github:create_pull_request"],
    ["find repos about rust", "github:search_repositories"],
    ["read the notes file", "files:read_text_file"],
    ["rename a file", "files:move_file"],
    ["erase a file", "files:delete_file"],
    ["open chargebacks", "payments:list_disputes"],
    ["refund the customer's payment", "payments:create_refund"],
    ["how much money is in my account", "payments:get_balance"],
    ["capture the page as an image", "browser:browser_take_screenshot"],
    ["go to https://example.com", "browser:browser_navigate"],
    ["screen shot of the page", "browser:browser_take_screenshot"],
    ["take a screenshoot", "browser:browser_take_screenshot"],
  ])("%s → %s", (query, expected) => {
    expect(top(query)[0]).toBe(expected);
  });

  test("a name match beats the same word deep in another tool's description", () => {
    expect(top("write file")[0]).toBe("files:write_file");
  });

  test("scores are ordered and ties break by server, then tool name", () => {
    const hits = index.search("file", { limit: 10 });
    for (let i = 1; i < hits.length; i++) {
      const [a, b] = [hits[i - 1]!, hits[i]!];
      expect(a.score >= b.score).toBe(true);
      if (a.score === b.score)
        expect(`${a.server}:${a.tool.name}` < `${b.server}:${b.tool.name}`).toBe(true);
    }
  });

  test("a query of stopwords or unknown words finds nothing", () => {
    expect(top("please can you")).toEqual([]);
    expect(top("zzqx")).toEqual([]);
    expect(top("")).toEqual([]);
    expect(new ToolIndex().search("anything")).toEqual([]);
  });

  test("a very long query is read, not refused", () => {
    expect(top(`${"please ".repeat(200)}rename a file ${"and more words ".repeat(100)}`)).toContain(
      "files:move_file",
    );
  });

  test("limit caps the hits", () => {
    expect(top("file", { limit: 0 })).toEqual([]);
    expect(top("file", { limit: 2 })).toHaveLength(2);
    expect(index.search("file", { limit: 25 }).length).toBeGreaterThan(2);
  });
});

describe("scopes and filters", () => {
  test("server limits the search to one server", () => {
    expect(top("create", { server: "files" }).every((id) => id.startsWith("files:"))).toBe(true);
  });

  test("a tool the caller may not call is never returned, even when it is the best match", () => {
    const allow = (server: string, tool: string) =>
      !(server === "github" && tool === "create_issue");
    const hits = top("open a new github issue", { allow, limit: 25 });
    expect(hits).not.toContain("github:create_issue");
    expect(hits.length).toBeGreaterThan(0);
  });

  test("with a scope that hides everything, nothing is returned", () => {
    expect(top("file", { allow: () => false })).toEqual([]);
  });

  test("the limit is filled from allowed tools, not cut before the scope check", () => {
    const allow = (server: string) => server === "files";
    expect(top("file", { allow, limit: 4 })).toHaveLength(4);
  });
});

describe("usage", () => {
  test("a tool the caller used ranks a little higher among near-equals", () => {
    const twins = new ToolIndex();
    const send = {
      description: "Send a message to a channel",
      inputSchema: { type: "object" as const },
    };
    twins.upsert("chat", [
      { name: "post_message", ...send },
      { name: "send_message", ...send },
    ]);
    const first = (usage?: (server: string, tool: string) => number) =>
      twins.search("post a message", { usage })[0]?.tool.name;
    expect(first()).toBe("post_message");
    const hits = twins.search("message", {});
    expect(hits[0]!.score).toBe(hits[1]!.score);
    const usage = (_server: string, tool: string) => (tool === "send_message" ? 3 : 0);
    expect(twins.search("message", { usage })[0]!.tool.name).toBe("send_message");
  });

  test("among the same tool on two servers, the one this caller used ranks first", () => {
    const two = new ToolIndex();
    const schema = { type: "object" as const };
    two.upsert("playwright", [
      {
        name: "browser_take_screenshot",
        description: "Take a screenshot of the current page",
        inputSchema: schema,
      },
      { name: "browser_click", description: "Click an element", inputSchema: schema },
      { name: "browser_navigate", description: "Go to a URL", inputSchema: schema },
    ]);
    two.upsert("puppeteer", [
      {
        name: "puppeteer_screenshot",
        description: "Take a screenshot of the browser window",
        inputSchema: schema,
      },
      { name: "puppeteer_click", description: "Click an element on the page", inputSchema: schema },
    ]);
    const order = (usage?: (server: string, tool: string) => number) =>
      two.search("take a screenshot of the page", { usage }).map((hit) => hit.server);
    expect(order().slice(0, 2)).toEqual(["playwright", "puppeteer"]);
    const usedPuppeteer = (server: string) => (server === "puppeteer" ? 1 : 0);
    expect(order(usedPuppeteer).slice(0, 2)).toEqual(["puppeteer", "playwright"]);
    // A used tool of another kind never moves up this way.
    const usedClick = (_: string, tool: string) => (tool === "puppeteer_click" ? 50 : 0);
    expect(two.search("take a screenshot of the page", { usage: usedClick })[0]!.server).toBe(
      "playwright",
    );
  });

  test("usage never outweighs relevance", () => {
    const usage = (server: string, tool: string) =>
      server === "payments" && tool === "get_balance" ? 10_000 : 0;
    expect(top("rename a file", { usage })[0]).toBe("files:move_file");
  });
});

describe("index maintenance", () => {
  test("upsert replaces a server's tools; remove drops them", () => {
    expect(index.size()).toBe(13);
    index.upsert("payments", [{ name: "list_payouts", inputSchema: { type: "object" } }]);
    expect(index.size()).toBe(11);
    expect(top("open chargebacks")).not.toContain("payments:list_disputes");
    expect(top("payouts")[0]).toBe("payments:list_payouts");
    index.remove("payments");
    expect(index.size()).toBe(10);
    expect(index.tools("payments")).toEqual([]);
    expect(top("payouts")).toEqual([]);
  });

  test("get, tools and all see the same tools", () => {
    expect(index.get("files", "move_file")?.name).toBe("move_file");
    expect(index.get("files", "nope")).toBeUndefined();
    expect(index.tools("browser").map((tool) => tool.name)).toEqual([
      "browser_take_screenshot",
      "browser_navigate",
    ]);
    expect([...index.all()]).toHaveLength(index.size());
  });

  test("many upserts and removes leave the index consistent", () => {
    for (let round = 0; round < 50; round++) {
      index.upsert(`copy-${round % 5}`, TOOLS.files!);
      if (round % 3 === 0) index.remove(`copy-${(round + 1) % 5}`);
    }
    const servers = new Set([...index.all()].map((entry) => entry.server));
    expect(index.size()).toBe(13 + (servers.size - 4) * 4);
    expect(
      top("rename a file", { limit: 25 }).filter((id) => id.endsWith(":move_file")).length,
    ).toBe(servers.size - 3);
  });

  test("changes between searches update the postings in place and find the same tools", () => {
    const queries = ["file", "create", "list issues", "screenshot", "balance"];
    const ids = (from: ToolIndex, query: string) =>
      from
        .search(query, { limit: 25 })
        .map((hit) => `${hit.server}:${hit.tool.name}`)
        .sort();
    for (let round = 0; round < 20; round++) {
      index.upsert(`copy-${round % 3}`, round % 2 ? TOOLS.files! : TOOLS.payments!);
      if (round % 4 === 0) index.remove(`copy-${(round + 1) % 3}`);
      index.search("warm the postings", {});
    }
    const fresh = new ToolIndex();
    const servers = new Map<string, ReturnType<ToolIndex["tools"]>>();
    for (const { server } of index.all()) servers.set(server, index.tools(server));
    for (const [server, tools] of servers) fresh.upsert(server, tools);
    for (const query of queries) expect(ids(index, query)).toEqual(ids(fresh, query));
  });
});

describe("what a request asks for, beyond shared words", () => {
  const tool = (name: string, description: string) => ({
    name,
    description,
    inputSchema: { type: "object" as const },
  });
  const search = (tools: Record<string, ReturnType<typeof tool>[]>, query: string) => {
    const local = new ToolIndex();
    for (const [server, list] of Object.entries(tools)) local.upsert(server, list);
    return local.search(query).map((hit) => `${hit.server}:${hit.tool.name}`)[0];
  };

  const shell = {
    shell: [
      tool("list_processes", "List all running processes."),
      tool("run_script", "Run a script in a new process."),
    ],
  };
  const git = {
    git: [
      tool("git_add", "Stage files: put their current contents in the staging area."),
      tool("git_status", "Show the working tree: staged, unstaged and untracked files."),
      tool("git_commit", "Record a new commit from what is staged."),
    ],
  };
  const cloud = {
    cloud: [
      tool("db-cluster-create", "Create a new cluster."),
      tool("cluster-create", "Create a managed database cluster for vectors."),
      tool("db_list", "List the clusters."),
      tool("list_vector_indexes", "List the vector indexes of a database."),
    ],
  };
  const billing = {
    billing: [
      tool("invoice-list", "List invoices with pagination."),
      tool("get-invoice", "Get a specific invoice by its id."),
      tool("download-report", "Download a usage report as CSV."),
    ],
  };
  test.each([
    [
      "a participle describes a state to read",
      shell,
      "what processes are running",
      "shell:list_processes",
    ],
    ["an imperative still acts", shell, "run a process", "shell:run_script"],
    [
      "a description's first verb is the tool's action",
      git,
      "stage my changes with git",
      "git:git_add",
    ],
    [
      "abbreviated names meet spelled-out words",
      cloud,
      "create a database cluster",
      "cloud:db-cluster-create",
    ],
    ["... in plurals too", cloud, "list databases", "cloud:db_list"],
    ["download a thing gets that one thing", billing, "download my invoice", "billing:get-invoice"],
  ])("%s: %p", (_rule, tools, query, expected) => {
    expect(search(tools, query as string)).toBe(expected as string);
  });
});
