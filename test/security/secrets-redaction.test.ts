/**
 * Attack: credentials leaking through the gateway's own output. Credential shapes are redacted
 * from logs (text and JSON), from `config export`, and, when asked, from tool results; keys in
 * the config never survive loading unhashed.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { logger, setLogFormat } from "../../src/logger.ts";
import { hashKey } from "../../src/security/keys.ts";
import { redactText } from "../../src/security/redact.ts";
import { runCli } from "../cli/_run.ts";
import { connectHttp, EVERYTHING, startGateway, tempDir } from "../helpers.ts";
import { meta } from "./_helpers.ts";

setDefaultTimeout(30_000);

const PEM = `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----`;
const JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

const SECRETS: [kind: string, text: string, secret: string][] = [
  ["aws-key", "key id AKIAIOSFODNN7EXAMPLE in use", "AKIAIOSFODNN7EXAMPLE"],
  [
    "github-token",
    "token=ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
  ],
  ["slack-token", "SLACK xoxb-2631-5129-Ab12Cd34Ef56", "xoxb-2631-5129-Ab12Cd34Ef56"],
  ["api-key", "OPENAI sk-proj-abcdefghijklmnopqrstuvwx12", "sk-proj-abcdefghijklmnopqrstuvwx12"],
  ["stripe-key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
  ["jwt", `Authorization header was ${JWT}`, JWT],
  [
    "private-key",
    `the key:\n${PEM}\nend`,
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
  ],
  ["password", "postgres://app:s3cr3t-pass@db.internal:5432/app", "s3cr3t-pass"],
  ["token", "sent Bearer abcdefghijklmnop123456 upstream", "abcdefghijklmnop123456"],
  ["secret", 'config {"api_key": "live-9f8e7d6c5b4a"}', "live-9f8e7d6c5b4a"],
  ["secret", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"],
  ["gateway-key", "key mgw_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", "mgw_0123456789"],
  // Shapes `setup` always knew, shared with redaction since both read one table.
  ["api-key", "notion ntn_4b9c1d2e3f4a5b6c7d8e9f0a1b2c", "ntn_4b9c1d2e3f4a5b6c7d8e9f0a1b2c"],
  ["api-key", "TAVILY tvly-AbCdEfGhIjKlMnOpQrStUvWx", "tvly-AbCdEfGhIjKlMnOpQrStUvWx"],
];

const HARMLESS = [
  "token count is 12345",
  "send a password reset link to the user",
  "https://example.com/path?page=2",
  "postgres://db.internal:5432/app",
  "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  "id 123e4567-e89b-12d3-a456-426614174000",
  "the secret to good soup is time",
  "use ${API_TOKEN} from the environment",
  "auth.bearer_token: environment variable ADMIN_TOKEN is not set",
  "write ${GITHUB_TOKEN:-fallback-value} to keep a default",
];

describe("credential patterns", () => {
  for (const [kind, text, secret] of SECRETS) {
    test(`${kind}: ${text.slice(0, 40).replace(/\n/g, " ")}`, () => {
      const out = redactText(text);
      expect(out).not.toContain(secret);
      expect(out).toContain(`[REDACTED:${kind}]`);
    });
  }
  test("ordinary text is left alone", () => {
    for (const text of HARMLESS) expect(redactText(text)).toBe(text);
  });
});

describe("logs", () => {
  function capture(run: () => void): string {
    const write = process.stderr.write;
    const level = logger.level;
    let out = "";
    process.stderr.write = ((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    }) as typeof process.stderr.write;
    logger.level = 3;
    try {
      run();
    } finally {
      process.stderr.write = write;
      logger.level = level;
    }
    return out;
  }

  test("text logs, tagged loggers and errors are redacted", () => {
    const out = capture(() => {
      logger.warn("backend said: token=ghp_16C7e42F292c6912E7710c838347Ae178B4a");
      logger.withTag("backend:x").info(`connecting to postgres://app:hunter22@db/app`);
      logger.error(new Error(`upstream rejected ${JWT}`));
    });
    expect(out).toContain("[REDACTED:github-token]");
    expect(out).not.toContain("ghp_16C7e42F");
    expect(out).not.toContain("hunter22");
    expect(out).not.toContain(JWT);
  });

  test("a line break a client chose cannot start a log entry of its own", () => {
    const name = "echo\n[error] [auth] admin key revoked by root\r[info] all clear";
    const out = capture(() => logger.warn(`firewall: refused tool "${name}"`));
    const entries = out.split("\n").filter((line) => /^\S/.test(line));
    expect(entries).toHaveLength(1);
    expect(out).toContain("    [error] [auth] admin key revoked by root\\r[info] all clear");
    expect(out).not.toContain("\r");
  });

  test("a terminal escape sequence a client chose cannot overwrite earlier log lines", () => {
    // Cursor up one line, clear it, then a fake entry.
    const name = "echo\u001b[1A\u001b[2K[info] all clear";
    const out = capture(() => logger.warn(`firewall: refused tool "${name}"`));
    expect(out).not.toContain("\u001b");
    expect(out).toContain("echo\\x1b[1A\\x1b[2K[info] all clear");
  });

  test("JSON logs are redacted too", () => {
    const reporters = logger.options.reporters;
    try {
      setLogFormat("json");
      const out = capture(() => logger.warn("key AKIAIOSFODNN7EXAMPLE leaked"));
      expect(JSON.parse(out.trim()).message).toBe("key [REDACTED:aws-key] leaked");
    } finally {
      logger.setReporters(reporters);
    }
  });
});

describe("config export", () => {
  test("prints no key, token or credential from the config", () => {
    const dir = tempDir("mcpgw-secrets-");
    const file = join(dir, "gateway.yaml");
    writeFileSync(
      file,
      `auth:
  enabled: true
  bearer_token: plaintext-admin-token-0001
  api_keys:
    - { name: a, key: plaintext-client-key-0002 }
    - { name: b, key: "\${CLIENT_KEY}" }
backends:
  db:
    command: node
    args: ["server.js", "${PEM.replace(/\n/g, "\\n")}"]
    env: { DSN: "postgres://app:dsn-pass-0003@db/app" }
`,
    );
    const run = runCli(["config", "export", "--config", file], {
      env: {
        HOME: dir,
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        CLIENT_KEY: "env-client-key-0004",
      },
    });
    expect(run.code).toBe(0);
    for (const secret of [
      "plaintext-admin-token-0001",
      "plaintext-client-key-0002",
      "env-client-key-0004",
      "dsn-pass-0003",
      "MIIEowIBAAKCAQEA",
    ]) {
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
    // Keys come out as the sha256 form they were loaded into.
    expect(run.stdout).toContain(hashKey("plaintext-client-key-0002"));
  });
});

describe("tool results", () => {
  let plain: Awaited<ReturnType<typeof startGateway>>;
  let redacting: Awaited<ReturnType<typeof startGateway>>;
  const backend = `
capabilities: { enabled: false }
backends:
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
`;
  beforeAll(async () => {
    plain = await startGateway(`${backend}security: { redact_results: false }\n`);
    redacting = await startGateway(backend);
  });
  afterAll(async () => {
    await plain?.stop();
    await redacting?.stop();
  });

  const echo = async (url: string) => {
    const session = await connectHttp(url);
    const result = await meta(session.client, "gateway_invoke", {
      server: "everything",
      tool: "echo",
      arguments: { message: "here: AKIAIOSFODNN7EXAMPLE and postgres://u:pw-123456@h/db" },
    });
    await session.close();
    return result.text;
  };

  test("pass through untouched with redact_results: false", async () => {
    expect(await echo(plain.url)).toContain("AKIAIOSFODNN7EXAMPLE");
  });

  test("are redacted by default (security.redact_results)", async () => {
    const text = await echo(redacting.url);
    expect(text).toContain("[REDACTED:aws-key]");
    expect(text).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(text).not.toContain("pw-123456");
  });
});
