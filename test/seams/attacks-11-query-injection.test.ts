/**
 * Query-language injection through capability templates (round 11; GraphQL was round 10). A
 * capability that puts an argument inside a longer query parameter (Jira's JQL, Confluence's CQL,
 * openFDA's search syntax, Overpass QL) or inside a quoted string of its body (an SQL statement)
 * sends a query the API parses with the gateway's credential: a value that closed the string or
 * added a clause read what the capability was written not to expose. Such a value is refused
 * before anything is sent; ordinary values, and a query that is the whole parameter (jira_search's
 * `jql`, by design the caller's), go as before.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startUpstream, type Upstream } from "../capabilities/_upstream.ts";
import { type ConnectedClient, cleanupsAfterAll, firstText, tempDir } from "../helpers.ts";
import { invokeCapability, servingCapabilities } from "./_helpers.ts";

setDefaultTimeout(30_000);
const cleanups = cleanupsAfterAll();
let api: Upstream;
let session: ConnectedClient;

const invoke = (tool: string, args: Record<string, unknown> = {}) =>
  invokeCapability(session, tool, args);

beforeAll(async () => {
  api = startUpstream(() => Response.json({ issues: [] }));
  cleanups.push(api.stop);
  const dir = tempDir("attacks-11-query-");
  writeFileSync(
    join(dir, "team_issues.yaml"),
    `name: team_issues
description: Open issues of one of the team's Jira projects matching a text.
schema:
  input:
    type: object
    required: [project, text]
    properties: { project: { type: string }, text: { type: string } }
rest:
  base_url: ${api.origin}
  path: /rest/api/3/search/jql
  params:
    jql: 'project = {project} AND text ~ "{text}" AND resolution = Unresolved'
auth: { type: bearer, key: env:TEAM_JIRA_TOKEN }
`,
  );
  writeFileSync(
    join(dir, "wiki_search.yaml"),
    `name: wiki_search
description: Search the team's wiki space.
schema:
  input: { type: object, required: [query], properties: { query: { type: string } } }
rest:
  base_url: ${api.origin}
  path: /wiki/rest/api/search
  params:
    cql: "space = TEAM AND siteSearch ~ '{query}'"
auth: { type: bearer, key: env:TEAM_JIRA_TOKEN }
`,
  );
  writeFileSync(
    join(dir, "my_orders.yaml"),
    `name: my_orders
description: Orders of one customer from the warehouse's SQL API.
schema:
  input: { type: object, required: [customer], properties: { customer: { type: string } } }
rest:
  base_url: ${api.origin}
  path: /api/sql
  method: POST
  body: { statement: "SELECT id, total FROM orders WHERE customer = '{customer}' LIMIT 50" }
auth: { type: bearer, key: env:TEAM_JIRA_TOKEN }
`,
  );
  writeFileSync(
    join(dir, "item_get.yaml"),
    `name: item_get
description: One item of the team's catalogue, or a file under its docs.
schema:
  input: { type: object, properties: { id: { type: string }, doc: { type: string } } }
rest:
  base_url: ${api.origin}
  path: /v1/items/{id}/docs/{+doc}
auth: { type: bearer, key: env:TEAM_JIRA_TOKEN }
`,
  );
  writeFileSync(
    join(dir, "any_jql.yaml"),
    `name: any_jql
description: Search Jira with JQL.
schema:
  input: { type: object, required: [jql], properties: { jql: { type: string } } }
rest:
  base_url: ${api.origin}
  path: /rest/api/3/search/jql
  params: { jql: "{jql}" }
auth: { type: bearer, key: env:TEAM_JIRA_TOKEN }
`,
  );
  ({ session } = await servingCapabilities(dir, 5, cleanups, {
    ...process.env,
    TEAM_JIRA_TOKEN: "jira-token-7788",
  }));
});

/** Calls `tool`; expects it refused with INVALID_ARGUMENTS naming `arg`, nothing sent. */
async function refused(tool: string, args: Record<string, unknown>, arg: string) {
  const before = api.requests.length;
  const result = await invoke(tool, args);
  expect(result.isError).toBe(true);
  expect(firstText(result)).toStartWith("[INVALID_ARGUMENTS]");
  expect(firstText(result)).toContain(`"${arg}"`);
  expect(api.requests.length).toBe(before);
}

describe("an argument inside a JQL query parameter", () => {
  test("an ordinary call is filled as written", async () => {
    const result = await invoke("team_issues", { project: "ENG", text: "login page crash" });
    expect(result.isError).toBeFalsy();
    expect(api.requests.at(-1)!.url.searchParams.get("jql")).toBe(
      'project = ENG AND text ~ "login page crash" AND resolution = Unresolved',
    );
  });

  test("a value adding a clause outside quotes is refused", async () => {
    await refused("team_issues", { project: "ENG OR project = HR", text: "x" }, "project");
    await refused("team_issues", { project: "ENG) OR (project = HR", text: "x" }, "project");
  });

  test("a value closing the quoted string is refused", async () => {
    await refused(
      "team_issues",
      { project: "ENG", text: 'x" OR project = PAYROLL OR text ~ "y' },
      "text",
    );
    await refused("team_issues", { project: "ENG", text: 'x\\" OR project = HR' }, "text");
  });
});

describe("an argument inside a single-quoted CQL string", () => {
  test("fills an ordinary query, and refuses one that closes the string", async () => {
    expect((await invoke("wiki_search", { query: 'release "notes" 2026' })).isError).toBeFalsy();
    expect(api.requests.at(-1)!.url.searchParams.get("cql")).toBe(
      `space = TEAM AND siteSearch ~ 'release "notes" 2026'`,
    );
    await refused("wiki_search", { query: "x' OR space = HR OR text ~ 'y" }, "query");
  });
});

describe("an argument inside a quoted string of a body", () => {
  test("fills an ordinary value, and refuses one that closes the string", async () => {
    expect((await invoke("my_orders", { customer: "acme-42" })).isError).toBeFalsy();
    expect(JSON.parse(api.requests.at(-1)!.body).statement).toBe(
      "SELECT id, total FROM orders WHERE customer = 'acme-42' LIMIT 50",
    );
    await refused("my_orders", { customer: "x' OR '1'='1" }, "customer");
    await refused(
      "my_orders",
      { customer: "x\\' UNION SELECT password FROM users --" },
      "customer",
    );
  });
});

describe("a query that is the whole parameter", () => {
  test("is the caller's, sent as given", async () => {
    const jql = 'project = ENG OR project = HR AND text ~ "a \\"b\\""';
    expect((await invoke("any_jql", { jql })).isError).toBeFalsy();
    expect(api.requests.at(-1)!.url.searchParams.get("jql")).toBe(jql);
  });
});

describe("a path argument with a backslash dot segment", () => {
  test("is refused, as a slash one is (servers that read %5C as a separator climbed)", async () => {
    expect((await invoke("item_get", { id: "a-1", doc: "guides/setup.md" })).isError).toBeFalsy();
    expect(api.requests.at(-1)!.path).toBe("/v1/items/a-1/docs/guides/setup.md");
    await refused("item_get", { id: "..\\admin", doc: "x" }, "id");
    await refused("item_get", { id: "a-1", doc: "guides\\..\\..\\..\\admin" }, "doc");
    await refused("item_get", { id: "a/../../admin", doc: "x" }, "id");
  });
});
