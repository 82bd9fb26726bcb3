/**
 * A capability author's mistakes, made while the gateway serves: a file saved with a YAML error
 * (its last good version keeps serving; the problem names the file, the line and the key), and
 * a misspelt key (named with its line), and a second file defining a tool name already served (a copy made to try a change, a `cap
 * install` into the wrong folder). The tool already served keeps serving, whichever file name
 * sorts first: a new file must not silently take over a tool that clients are calling.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
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
let dir: string;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let session: ConnectedClient;

const file = (name: string, path: string, extra = "") => `name: ${name}
description: Looks up an invoice by id.
schema:
  input: { type: object, required: [id], properties: { id: { type: string } } }
rest:
  base_url: "${api.origin}"
  path: "${path}"
${extra}`;

const invoke = (tool: string, id: string) =>
  session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "capabilities", tool, arguments: { id } },
  });
const reload = async () => {
  const response = await fetch(`${gateway.url}/api/reload`, { method: "POST" });
  expect(response.status).toBe(200);
};
const problems = async () => {
  const health = (await (await fetch(`${gateway.url}/health`)).json()) as {
    capabilities?: { problems: { source: string; errors: string[]; keptLastGood?: boolean }[] };
  };
  return health.capabilities?.problems ?? [];
};

beforeAll(async () => {
  api = startUpstream((_request, url) => Response.json({ path: url.pathname }));
  cleanups.push(api.stop);
  dir = tempDir("capauthor-10-");
  writeFileSync(join(dir, "invoices.yaml"), file("invoice_get", "/billing/invoices/{id}"));
  writeFileSync(join(dir, "refunds.yaml"), file("refund_get", "/billing/refunds/{id}"));
  gateway = await startGateway(
    `capabilities: { builtin: false, directories: ["${dir}"], allow_private_networks: true }\n`,
  );
  cleanups.push(() => gateway.stop());
  session = await connectHttp(gateway.url);
  cleanups.push(session.close);
  await waitFor(() => gateway.gateway.index.tools("capabilities").length === 2);
}, 30_000);

describe("mistakes saved while the gateway serves", () => {
  test("a copy under a name that sorts first does not take over the served tool", async () => {
    expect(firstText(await invoke("invoice_get", "1"))).toBe('{"path":"/billing/invoices/1"}');
    // The author copies the file to try another endpoint, forgetting to rename the tool.
    writeFileSync(join(dir, "a-invoices-copy.yaml"), file("invoice_get", "/sandbox/invoices/{id}"));
    await reload();
    expect(firstText(await invoke("invoice_get", "2"))).toBe('{"path":"/billing/invoices/2"}');
    const duplicate = (await problems()).find((p) => p.source.endsWith("a-invoices-copy.yaml"));
    expect(duplicate?.errors.join("\n")).toContain("invoices.yaml");
    // Removing the original hands the name to the copy.
    rmSync(join(dir, "invoices.yaml"));
    await reload();
    expect(firstText(await invoke("invoice_get", "3"))).toBe('{"path":"/sandbox/invoices/3"}');
  });

  test("a YAML error keeps the last good version serving, and says where", async () => {
    writeFileSync(
      join(dir, "refunds.yaml"),
      `${file("refund_get", "/billing/refunds/v2/{id}")}\nmetadata: { read_only: true\n`,
    );
    await reload();
    expect(firstText(await invoke("refund_get", "9"))).toBe('{"path":"/billing/refunds/9"}');
    const broken = (await problems()).find((p) => p.source.endsWith("refunds.yaml"));
    expect(broken?.keptLastGood).toBe(true);
    expect(broken?.errors.join("\n")).toMatch(/\(\d+:\d+\)/);
  });

  test("a misspelt key names the file, the key and its line", async () => {
    // Line 8 of the file: a key under rest, misspelt.
    writeFileSync(
      join(dir, "refunds.yaml"),
      file("refund_get", "/billing/refunds/v3/{id}", "").replace(
        '  path: "/billing/refunds/v3/{id}"',
        '  path: "/billing/refunds/v3/{id}"\n  timout: 5s',
      ),
    );
    await reload();
    expect(firstText(await invoke("refund_get", "10"))).toBe('{"path":"/billing/refunds/10"}');
    const broken = (await problems()).find((p) => p.source.endsWith("refunds.yaml"));
    expect(broken?.source).toBe(join(dir, "refunds.yaml"));
    expect(broken?.errors).toEqual(["unknown key rest.timout (line 8)"]);
  });

  test("a timeout of 0, which would fail every call at once, is refused where it is written", async () => {
    writeFileSync(
      join(dir, "refunds.yaml"),
      file("refund_get", "/billing/refunds/v4/{id}", "").replace(
        '  path: "/billing/refunds/v4/{id}"',
        '  path: "/billing/refunds/v4/{id}"\n  timeout: 0',
      ),
    );
    await reload();
    expect(firstText(await invoke("refund_get", "11"))).toBe('{"path":"/billing/refunds/11"}');
    const broken = (await problems()).find((p) => p.source.endsWith("refunds.yaml"));
    expect(broken?.errors.join("\n")).toContain("rest.timeout: must be more than 0");
    expect(broken?.errors.join("\n")).toContain("(line 8)");
  });
});
