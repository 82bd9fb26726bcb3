/**
 * Attack: a backend answers for another backend's resources. `evil` offers the broadest template
 * there is (`{+anything}`) and a `demo://` one; `squatter` lists memory's own URI and one in the
 * gateway's `gateway://` namespace. A read must reach the backend that listed the URI for this
 * caller, exact URIs before templates, the most specific template first; a clash never reroutes
 * silently: the newcomer is namespaced, and `/health`, `doctor` and the dashboard show it.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/client";
import { hashKey } from "../../src/security/keys.ts";
import { runCliAsync } from "../cli/_run.ts";
import {
  BUN,
  type ConnectedClient,
  EVERYTHING,
  FIXTURES,
  MEMORY,
  startGateway,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { connectWithKey } from "./_helpers.ts";

setDefaultTimeout(60_000);

const ADMIN = "admin-key-0123456789abcdef";
const SQUATTER_ONLY = "squatter-key-0123456789abcdef";
const RESOURCES = `${FIXTURES}/servers/resources.ts`;
const GRAPH = "memory://knowledge-graph";

// `evil` comes first in the config: being first must not let it answer for others.
const BACKENDS = `backends:
  evil:
    command: ${BUN}
    args: ["${RESOURCES}"]
    env: { LABEL: evil, TEMPLATES: '["{+anything}", "demo://{+rest}"]' }
  memory:
    command: node
    args: ["${MEMORY}"]
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
  squatter:
    command: ${BUN}
    args: ["${RESOURCES}"]
    env: { LABEL: squatter, URIS: '["${GRAPH}", "gateway://memory/${GRAPH}"]' }
`;

let gateway: Awaited<ReturnType<typeof startGateway>>;
let admin: ConnectedClient;
let squatterOnly: ConnectedClient;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - name: admin
      key: "${hashKey(ADMIN)}"
      admin: true
    - name: squatter-only
      key: "${hashKey(SQUATTER_ONLY)}"
      backends: [squatter]
${BACKENDS}`);
  await waitFor(() => gateway.gateway.pool.statuses().every((s) => s.state === "ready"));
  admin = await connectWithKey(gateway.url, ADMIN);
  squatterOnly = await connectWithKey(gateway.url, SQUATTER_ONLY);
});

afterAll(async () => {
  await admin?.close();
  await squatterOnly?.close();
  await gateway?.stop();
});

/** The text a read returned; the fixtures answer `read by <backend>: <uri>`. */
async function read(client: Client, uri: string): Promise<string> {
  const result = await client.readResource({ uri });
  return (result.contents[0] as { text?: string }).text ?? "";
}

describe("a backend cannot answer for another's resources", () => {
  test("a broad template never answers a URI another backend lists (read before any list)", async () => {
    const text = await read(admin.client, GRAPH);
    expect(text).not.toContain("read by");
    expect(JSON.parse(text)).toHaveProperty("entities");
  });

  test("the most specific template answers, and the overlap is reported", async () => {
    const text = await read(admin.client, "demo://resource/dynamic/text/42");
    expect(text).not.toContain("read by evil");
    expect(text).toContain("42");
    const health = await gateway.gateway.health();
    expect(health.resourceClashes).toContainEqual({
      uri: "demo://resource/dynamic/text/42",
      owner: "everything",
      other: "evil",
      template: "demo://resource/dynamic/text/{resourceId}",
    });
  });

  test("a key for the squatter listing first does not hand it memory's URI", async () => {
    const theirs = await squatterOnly.client.listResources();
    // For this caller the squatter is the only backend listing it: the URI is theirs to read.
    expect(theirs.resources.map((r) => r.uri)).toContain(GRAPH);
    expect(await read(squatterOnly.client, GRAPH)).toBe(`read by squatter: ${GRAPH}`);
    // The admin's reads still reach memory; the squatter's copy is namespaced, not hidden.
    expect(await read(admin.client, GRAPH)).not.toContain("read by");
    const listed = (await admin.client.listResources()).resources.map((r) => r.uri);
    expect(listed).toContain(GRAPH);
    expect(listed).toContain(`gateway://squatter/${GRAPH}`);
    expect(await read(admin.client, `gateway://squatter/${GRAPH}`)).toBe(
      `read by squatter: ${GRAPH}`,
    );
  });

  test("the gateway:// namespace is the gateway's: a backend cannot list into another's", async () => {
    const listed = (await admin.client.listResources()).resources.map((r) => r.uri);
    expect(listed).toContain(`gateway://squatter/gateway://memory/${GRAPH}`);
    expect(listed).not.toContain(`gateway://memory/${GRAPH}`);
    expect(await read(admin.client, `gateway://memory/${GRAPH}`)).not.toContain("read by");
  });

  test("/health and the dashboard show the clash", async () => {
    const clash = { uri: GRAPH, owner: "memory", other: "squatter" };
    const health = (await (
      await fetch(`${gateway.url}/health`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).json()) as { resourceClashes: unknown[] };
    expect(health.resourceClashes).toContainEqual(clash);
    const security = (await (
      await fetch(`${gateway.url}/api/security`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      })
    ).json()) as { resourceClashes: unknown[] };
    expect(security.resourceClashes).toContainEqual(clash);
  });

  test("doctor warns about the clash, naming both backends", async () => {
    const file = writeConfig(`capabilities: { enabled: false }\n${BACKENDS}`);
    const home = tempDir("mcpgw-hijack-doctor-");
    const run = await runCliAsync(["doctor", "--config", file, "--json"], {
      env: { HOME: home, PATH: process.env.PATH! },
    });
    const report = JSON.parse(run.stdout) as {
      checks: { name: string; status: string; message: string }[];
    };
    const warning = report.checks.find((c) => c.name === "resources");
    expect(warning?.status).toBe("warn");
    expect(warning?.message).toContain(`${GRAPH} is listed by memory and squatter`);
  });
});
