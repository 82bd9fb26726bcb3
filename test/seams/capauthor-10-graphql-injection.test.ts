/**
 * A GraphQL capability (the original's `service: graphql`) fills `{arg}` into its query text. A
 * caller's value that closes the string or the argument list rewrote the query, reading with the
 * gateway's token whatever else the token can read (`viewer { email }`, other repositories),
 * past what the capability was written to expose: the GraphQL form of the `..` path traversal.
 * Inside quotes a value is escaped as a GraphQL string; elsewhere only a number, a boolean or a
 * name (an enum value) is taken.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startUpstream, type Upstream } from "../capabilities/_upstream.ts";
import {
  type ConnectedClient,
  cleanupsAfterAll,
  connectHttp,
  firstText,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();
let api: Upstream;
let session: ConnectedClient;

const invoke = (args: Record<string, unknown>) =>
  session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "capabilities", tool: "repo_stars", arguments: args },
  });
const lastQuery = () => JSON.parse(api.requests.at(-1)?.body ?? "{}").query as string;

beforeAll(async () => {
  api = startUpstream(() => Response.json({ data: { repository: { stars: 42 } } }));
  cleanups.push(api.stop);
  const dir = tempDir("capauthor-10-");
  writeFileSync(
    join(dir, "stars.yaml"),
    `fulcrum: "1.0"
name: repo_stars
description: Stars of one of the team's repositories.
schema:
  input:
    type: object
    required: [name]
    properties: { name: { type: string }, limit: { type: [integer, string] }, order: { type: string } }
providers:
  primary:
    service: graphql
    config:
      endpoint: "${api.origin}/graphql"
      query: 'query { repository(owner: "acme", name: "{name}") { stars releases(first: {limit}, orderBy: {order}) { id } } }'
auth: { type: bearer, key: env:TEAM_GRAPHQL_TOKEN }
`,
  );
  const gateway = await startGateway(
    `capabilities: { builtin: false, directories: ["${dir}"], allow_private_networks: true }\n`,
    { ...process.env, TEAM_GRAPHQL_TOKEN: "gql-token-5566" },
  );
  cleanups.push(() => gateway.stop());
  session = await connectHttp(gateway.url);
  cleanups.push(session.close);
  await waitFor(() => gateway.gateway.index.tools("capabilities").length === 1);
}, 30_000);

describe("a GraphQL query filled from arguments", () => {
  test("an ordinary call is filled as written", async () => {
    const result = await invoke({ name: "web", limit: 5, order: "CREATED_AT" });
    expect(result.isError).toBeFalsy();
    expect(lastQuery()).toBe(
      'query { repository(owner: "acme", name: "web") { stars releases(first: 5, orderBy: CREATED_AT) { id } } }',
    );
  });

  test("a value that closes the string stays inside it", async () => {
    const attack = 'web") { stars } viewer { email } other: repository(owner: "victim", name: "x';
    await invoke({ name: attack, limit: 1, order: "NAME" });
    const query = lastQuery();
    expect(query).toBe(
      `query { repository(owner: "acme", name: "${JSON.stringify(attack).slice(1, -1)}") { stars releases(first: 1, orderBy: NAME) { id } } }`,
    );
  });

  test("a value outside quotes must be a number, a boolean or a name", async () => {
    const before = api.requests.length;
    const result = await invoke({
      name: "web",
      limit: '1) { id } } viewer { email } x: repository(name: "y") { releases(first: 1',
      order: "NAME",
    });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toStartWith("[INVALID_ARGUMENTS]");
    expect(firstText(result)).toContain("limit");
    expect(api.requests.length).toBe(before);
  });
});
