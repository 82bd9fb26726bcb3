import { expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers.ts";
import { runCli, runCliAsync } from "./_run.ts";

setDefaultTimeout(60_000);

interface Report {
  checks: { name: string; status: string; message: string }[];
}

/** `doctor --json`'s warnings about the config file itself. */
async function configWarnings(file: string, env: Record<string, string>): Promise<string[]> {
  const run = await runCliAsync(["doctor", "--config", file, "--json"], { env });
  const report = JSON.parse(run.stdout) as Report;
  return report.checks
    .filter((check) => check.name === "config" && check.status === "warn")
    .map((check) => check.message);
}

test("doctor does not call a ${VAR} reference a secret written in the file (the form add and setup write)", async () => {
  const home = tempDir("mcpgw-doctor-ref-");
  const env = { HOME: home, PATH: process.env.PATH ?? "", REMOTE_API_TOKEN: "set-elsewhere" };
  const file = join(home, "gateway.yaml");
  const added = runCli(
    [
      "add",
      "--config",
      file,
      "--url",
      "http://127.0.0.1:1/mcp",
      "remote",
      "--header",
      "Authorization: Bearer ${REMOTE_API_TOKEN}",
    ],
    { env },
  );
  expect(added.code).toBe(0);
  chmodSync(file, 0o644);
  expect(await configWarnings(file, env)).toEqual([]);

  // The same header with the token itself in it is still reported.
  const literal = join(home, "literal.yaml");
  writeFileSync(
    literal,
    'backends:\n  remote:\n    url: http://127.0.0.1:1/mcp\n    headers: { Authorization: "Bearer some-long-token-value-1234" }\n',
  );
  chmodSync(literal, 0o644);
  const warnings = await configWarnings(literal, env);
  expect(warnings.join("\n")).toContain("holds secrets written in it");
});

test("doctor warns of env_files other users can read, and --fix makes them 0600", async () => {
  const home = tempDir("mcpgw-doctor-envfile-");
  const env = { HOME: home, PATH: process.env.PATH ?? "" };
  const secrets = join(home, "secrets.env");
  writeFileSync(secrets, "GITHUB_TOKEN=ghp_not-a-real-token-0123456789\n");
  chmodSync(secrets, 0o644);
  const file = join(home, "gateway.yaml");
  writeFileSync(file, "env_files: [~/secrets.env]\nbackends: {}\n");
  chmodSync(file, 0o600);
  const warnings = await configWarnings(file, env);
  expect(warnings.join("\n")).toContain(
    `env_files: ${secrets} holds 1 value and other users can read it (mode 644)`,
  );
  const fixed = await runCliAsync(["doctor", "--config", file, "--fix"], { env });
  expect(fixed.stderr + fixed.stdout).toContain(`chmod 600 ${secrets}`);
  expect(statSync(secrets).mode & 0o777).toBe(0o600);
  expect(await configWarnings(file, env)).toEqual([]);
});
