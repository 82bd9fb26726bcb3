import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCliAsync } from "../cli/_run.ts";
import { FIXTURES, ROOT, tempDir } from "../helpers.ts";
import { startUpstream, type Upstream } from "./_upstream.ts";

// Each test runs the CLI from source in a process of its own: seconds on a loaded machine.
setDefaultTimeout(30_000);

let api: Upstream;
let dir: string;
let config: string;

/** Runs the CLI from source (asynchronously: the stand-in API lives in this process). */
function cli(...args: string[]) {
  return runCliAsync(args, {
    env: { ...process.env, NO_COLOR: "1", CLI_TEST_TOKEN: "" },
    cwd: process.cwd(),
  });
}

beforeAll(() => {
  api = startUpstream((_request, url) =>
    url.pathname === "/fail"
      ? Response.json({ message: "quota exceeded" }, { status: 429 })
      : Response.json({ forecast: "sunny", path: url.pathname, q: url.searchParams.get("q") }),
  );
  dir = tempDir("mcpgw-cli-");
  const caps = join(dir, "caps");
  mkdirSync(caps);
  // A user file with a built-in's name replaces the built-in.
  writeFileSync(
    join(caps, "weather_forecast.yaml"),
    `name: weather_forecast
description: Local override of the built-in forecast.
schema: { input: { type: object, properties: { q: { type: string, description: "Place" } } } }
rest: { base_url: "${api.origin}", path: /forecast, params: { q: "{q}" } }
`,
  );
  writeFileSync(
    join(caps, "fails.yaml"),
    `name: always_fails\ndescription: Hits a rate limit.\nrest: { base_url: "${api.origin}", path: /fail }\n`,
  );
  writeFileSync(
    join(caps, "needs_token.yaml"),
    `name: needs_token
description: Needs CLI_TEST_TOKEN.
rest: { base_url: "${api.origin}" }
auth: { type: bearer, key: env:CLI_TEST_TOKEN }
`,
  );
  config = join(dir, "gateway.yaml");
  writeFileSync(config, `capabilities:\n  directories: [caps]\n  allow_private_networks: true\n`);
});

afterAll(() => {
  api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("mcp-gateway cap validate", () => {
  test("valid files and folders exit 0", async () => {
    const run = await cli(
      "cap",
      "validate",
      join(ROOT, "capabilities"),
      join(dir, "caps", "fails.yaml"),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("(weather_forecast)");
    expect(run.stdout).toContain("(always_fails)");
  });

  test("a bad file exits 1, naming the file and the field", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      "name: bad\ndescription: d\nrest: { base_url: 'https://a.b', method: FETCH }\n",
    );
    const run = await cli("cap", "validate", bad, join(dir, "caps"));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`FAIL ${bad}: rest.method: Invalid option`);
    expect(run.stdout).toContain("ok   ");
    expect(run.stderr).toContain(`1 of 4 capability files are invalid: ${bad}`);
  });
});

describe("mcp-gateway cap list", () => {
  test("--json prints only JSON: every capability with name, description and auth", async () => {
    const run = await cli("cap", "list", "--json", "--config", config);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as {
      name: string;
      description: string;
      source: string;
      auth: { required: boolean; type: string; env: string | null };
      available: boolean;
    }[];
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) {
      expect(typeof row.description).toBe("string");
      expect(Object.keys(row.auth).sort()).toEqual(["env", "required", "type"]);
    }
    const override = rows.find((row) => row.name === "weather_forecast")!;
    expect(override.source).toBe(join(dir, "caps", "weather_forecast.yaml"));
    expect(rows.find((row) => row.name === "needs_token")).toMatchObject({
      auth: { required: true, type: "bearer", env: "CLI_TEST_TOKEN" },
      available: false,
    });
    expect(rows.find((row) => row.name === "nasa_apod")!.auth.env).toBe("NASA_API_KEY");
  });

  test("the table says which keys are missing", async () => {
    const run = await cli("cap", "list", "--config", config);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /needs_token\s+\S+needs_token\.yaml\s+needs CLI_TEST_TOKEN \(not set: hidden\)/,
    );
  });
});

describe("mcp-gateway cap test", () => {
  test("runs one capability and prints its result", async () => {
    const run = await cli(
      "cap",
      "test",
      "weather_forecast",
      "--args",
      '{"q":"Oslo"}',
      "--config",
      config,
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ forecast: "sunny", path: "/forecast", q: "Oslo" });
  });

  test("an API failure prints the tool error and exits 1", async () => {
    const run = await cli("cap", "test", "always_fails", "--config", config);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`[UPSTREAM_HTTP_ERROR] GET ${api.origin}/fail returned 429`);
  });

  test("an unknown name suggests close ones", async () => {
    const run = await cli("cap", "test", "weather_forcast", "--config", config);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("did you mean weather_forecast");
  });

  test("a missing key is named", async () => {
    const run = await cli("cap", "test", "needs_token", "--config", config);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("needs_token needs the environment variable CLI_TEST_TOKEN");
  });
});

describe("mcp-gateway cap import", () => {
  test("creates --output, writes one file per operation and lists what it skipped", async () => {
    const output = join(dir, "imported", "edge");
    const run = await cli(
      "cap",
      "import",
      join(FIXTURES, "openapi/edge-cases.yaml"),
      "--output",
      output,
      "--prefix",
      "edge_",
    );
    expect(run.code).toBe(0);
    expect(existsSync(output)).toBe(true);
    expect(readdirSync(output)).toContain("edge_createnode.yaml");
    expect(run.stdout).toContain(`Edge Case API 2.1.0: wrote 7 capability files to ${output}`);
    expect(run.stdout).toContain("skipped 4 operations:");
    expect(run.stdout).toContain(
      "  POST /upload: request body type multipart/form-data is not supported",
    );
    expect(run.stdout).toContain("secrets are read from: EDGE_TOKEN");
    const validate = await cli("cap", "validate", output);
    expect(validate.code).toBe(0);
  });

  test("--json reports generated and skipped operations", async () => {
    const output = join(dir, "imported", "json");
    const run = await cli(
      "cap",
      "import",
      join(FIXTURES, "openapi/edge-cases.yaml"),
      "-o",
      output,
      "--json",
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.generated).toHaveLength(7);
    expect(report.skipped).toHaveLength(4);
  });

  test("an unreadable spec exits non-zero with the reason", async () => {
    const run = await cli(
      "cap",
      "import",
      join(dir, "missing.yaml"),
      "--output",
      join(dir, "never"),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("cannot read");
    expect(existsSync(join(dir, "never"))).toBe(false);
  });
});
