import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configCacheCounts, loadConfigCached } from "../../src/config/cache.ts";
import { loadConfig } from "../../src/config/load.ts";
import { tempDir } from "../helpers.ts";

// The cache of the validated config (src/config/cache.ts): what `list`, `config export` and
// `serve` read instead of building zod's schema. A changed input must never be served from it.

const CONFIG = `env_files: [./secrets.env]
backends:
  memory:
    command: npx
    args: [-y, "@modelcontextprotocol/server-memory", "--token", "\${TOKEN}"]
    env:
      FROM_FILE: \${FROM_ENV_FILE}
      FROM_SECRET_FILE: \${DB_PASSWORD}
    timeout: 20s
  web:
    url: https://\${WEB_HOST}/mcp
    headers:
      Authorization: Bearer \${TOKEN}
auth:
  api_keys:
    - name: ci
      key: \${CI_KEY}
`;

const TOKEN = "tok-4f1c9a7e2b6d8035";
const CI_KEY = "ci-key-9a8b7c6d5e4f3a2b1c";
const ENV_FILE_SECRET = "env-file-secret-77aa";
const FILE_SECRET = "file-secret-5c5c5c";

/** A home with the config, its env file, a `_FILE` secret and an empty state folder. */
function home(text = CONFIG) {
  const dir = tempDir("mcpgw-cache-");
  const file = join(dir, "gateway.yaml");
  writeFileSync(file, text);
  writeFileSync(join(dir, "secrets.env"), `FROM_ENV_FILE=${ENV_FILE_SECRET}\n`);
  const secret = join(dir, "db-password");
  writeFileSync(secret, `${FILE_SECRET}\n`);
  const env: Record<string, string> = {
    HOME: dir,
    XDG_STATE_HOME: join(dir, "state"),
    MCP_GATEWAY_START_CACHE: "1",
    TOKEN,
    CI_KEY,
    WEB_HOST: "mcp.example.com",
    DB_PASSWORD_FILE: secret,
  };
  const cacheDir = join(dir, "state", "mcp-gateway", "config-cache");
  return { dir, file, env, secret, cacheDir };
}

function entryFile(cacheDir: string): string {
  const [name] = readdirSync(cacheDir);
  return join(cacheDir, name!);
}

/** Loads through the cache and says whether the cache answered. */
async function cached(file: string, env: Record<string, string>) {
  const hits = configCacheCounts.hits;
  const config = await loadConfigCached({ path: file, env });
  return { config, hit: configCacheCounts.hits > hits };
}

/** The error loading `file` gives, or undefined. */
async function errorOf(load: () => unknown): Promise<string | undefined> {
  try {
    await load();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

describe("the config cache", () => {
  test("a second load is served from the cache and equals a fresh validation", async () => {
    const { file, env } = home();
    const first = await cached(file, env);
    expect(first.hit).toBe(false);
    const second = await cached(file, env);
    expect(second.hit).toBe(true);
    const fresh = loadConfig({ path: file, env });
    expect(JSON.parse(JSON.stringify(second.config))).toEqual(JSON.parse(JSON.stringify(fresh)));
    const memory = second.config.backends.find((backend) => backend.name === "memory")!;
    expect(memory.args).toContain(TOKEN);
    expect(memory.env).toEqual({ FROM_FILE: ENV_FILE_SECRET, FROM_SECRET_FILE: FILE_SECRET });
    expect(memory.timeout).toBe(20_000);
  });

  test("no secret is written: not a variable's value, an env file's or a key", async () => {
    const { file, env, cacheDir } = home();
    await cached(file, env);
    const stored = readFileSync(entryFile(cacheDir), "utf8");
    for (const secret of [TOKEN, CI_KEY, ENV_FILE_SECRET, FILE_SECRET, "mcp.example.com"]) {
      expect(stored).not.toContain(secret);
    }
    expect(stored).toContain("sha256:");
  });

  test("every input the result came from is checked: any change is a miss with the new value", async () => {
    const { dir, file, env, secret } = home();
    await cached(file, env);
    const changes: [string, () => Record<string, string>][] = [
      ["a variable's value", () => ({ ...env, TOKEN: "tok-other-1234567890" })],
      ["an unset variable now set", () => ({ ...env, FROM_ENV_FILE: "from-the-process" })],
      ["an override", () => ({ ...env, MCP_GATEWAY_SERVER__PORT: "40001" })],
      [
        "an env file's content",
        () => {
          writeFileSync(join(dir, "secrets.env"), "FROM_ENV_FILE=changed-in-file\n");
          return env;
        },
      ],
      [
        "a _FILE secret's content",
        () => {
          writeFileSync(secret, "changed-secret\n");
          return env;
        },
      ],
      [
        "the config's text",
        () => {
          writeFileSync(file, CONFIG.replace("timeout: 20s", "timeout: 25s"));
          return env;
        },
      ],
    ];
    for (const [what, change] of changes) {
      const changedEnv = change();
      const result = await cached(file, changedEnv);
      expect({ what, hit: result.hit }).toEqual({ what, hit: false });
      const fresh = loadConfig({ path: file, env: changedEnv });
      expect(JSON.stringify(result.config)).toBe(JSON.stringify(fresh));
      // Stored again for the new inputs: the next load is a hit.
      expect((await cached(file, changedEnv)).hit).toBe(true);
    }
  });

  test("a capabilities folder in the current folder, warned about, is an input too", async () => {
    // With no capabilities.directories, a ./capabilities holding files is named in a warning
    // (load.ts): a load from another folder must not repeat the first folder's warning.
    const { file, env } = home("backends: {}\n");
    const withCaps = tempDir("mcpgw-cwd-");
    mkdirSync(join(withCaps, "capabilities"));
    writeFileSync(join(withCaps, "capabilities", "weather.yaml"), "name: weather\n");
    const plain = tempDir("mcpgw-cwd-");
    const load = async (cwd: string) => {
      const hits = configCacheCounts.hits;
      const config = await loadConfigCached({ path: file, env, cwd });
      return { hit: configCacheCounts.hits > hits, warned: config.warnings.join("\n") };
    };
    expect((await load(withCaps)).warned).toContain(join(withCaps, "capabilities"));
    expect(await load(withCaps)).toEqual({
      hit: true,
      warned: expect.stringContaining(join(withCaps, "capabilities")),
    });
    const elsewhere = await load(plain);
    expect(elsewhere.hit).toBe(false);
    expect(elsewhere.warned).not.toContain("capabilities.directories is not set");
    expect((await load(plain)).hit).toBe(true);
  });

  test("an env file or secret edited while a miss is being stored is never served stale", async () => {
    // The edit lands at each point where the miss reads the environment (every enumeration of
    // it is a step: resolving, the placeholder run, the digest, the replay): whichever it is,
    // the next load gives the new contents. The edit sets a variable that was unset: a value is
    // put back from the files at every hit, but whether there is one is part of what is stored.
    for (let step = 1; step <= 8; step++) {
      const { dir, file, env, secret } = home();
      writeFileSync(join(dir, "secrets.env"), "# nothing yet\n");
      let enumerations = 0;
      const racing = new Proxy(env, {
        ownKeys(target) {
          if (++enumerations === step) {
            writeFileSync(join(dir, "secrets.env"), "FROM_ENV_FILE=edited-mid-miss\n");
            writeFileSync(secret, "edited-secret\n");
          }
          return Reflect.ownKeys(target);
        },
      });
      await loadConfigCached({ path: file, env: racing });
      const next = await cached(file, env);
      const fresh = loadConfig({ path: file, env });
      expect({ step, config: JSON.stringify(next.config) }).toEqual({
        step,
        config: JSON.stringify(fresh),
      });
    }
  });

  test("a config made invalid after it was cached fails with exactly the uncached error", async () => {
    const { file, env } = home();
    await cached(file, env);
    expect((await cached(file, env)).hit).toBe(true);
    const broken = [
      CONFIG.replace("timeout: 20s", "timeout: soon"),
      CONFIG.replace("command: npx", "command: npx\n    colour: blue"),
      CONFIG.replace("url: https://${WEB_HOST}/mcp", "url: 42"),
      `${CONFIG}  bad: [\n`,
    ];
    for (const text of broken) {
      writeFileSync(file, text);
      const uncached = await errorOf(() => loadConfig({ path: file, env }));
      expect(uncached).toBeDefined();
      expect(await errorOf(() => loadConfigCached({ path: file, env }))).toBe(uncached);
    }
    // An unset variable the config needs outside a backend: the same error too.
    writeFileSync(file, CONFIG);
    await cached(file, env);
    const { CI_KEY: _, ...withoutKey } = env;
    const uncached = await errorOf(() => loadConfig({ path: file, env: withoutKey }));
    expect(uncached).toContain("CI_KEY");
    expect(await errorOf(() => loadConfigCached({ path: file, env: withoutKey }))).toBe(uncached);
  });

  test("a tampered, corrupt or foreign-writable entry is ignored", async () => {
    const { file, env, cacheDir } = home();
    await cached(file, env);
    const path = entryFile(cacheDir);
    const good = readFileSync(path, "utf8");
    const fresh = JSON.stringify(loadConfig({ path: file, env }));

    // The stored config changed (another command for the backend) without its digest.
    const entry = JSON.parse(good);
    entry.config = entry.config.replace('"command":"npx"', '"command":"/tmp/evil"');
    expect(entry.config).toContain("/tmp/evil");
    const tampered = [
      JSON.stringify(entry),
      good.slice(0, good.length / 2),
      "not json",
      JSON.stringify({ ...JSON.parse(good), names: "TOKEN" }),
      JSON.stringify({ ...JSON.parse(good), nonce: "(.*)" }),
    ];
    for (const text of tampered) {
      writeFileSync(path, text, { mode: 0o600 });
      const result = await cached(file, env);
      expect(result.hit).toBe(false);
      expect(JSON.stringify(result.config)).toBe(fresh);
    }

    // Intact, but writable by others: not trusted.
    await cached(file, env);
    expect((await cached(file, env)).hit).toBe(true);
    chmodSync(path, 0o666);
    expect((await cached(file, env)).hit).toBe(false);
  });

  test("a value that changes the result's shape is not cached, and still loads", async () => {
    // An absolute folder from a variable: resolving the placeholder against the config's folder
    // gives another path, so this config is validated each time.
    const { file, env, dir } = home(`${CONFIG}state_dir: \${STATE_DIR}\n`);
    const withState = { ...env, STATE_DIR: join(dir, "elsewhere") };
    const first = await cached(file, withState);
    const second = await cached(file, withState);
    expect(second.hit).toBe(false);
    expect(first.config.state_dir).toBe(join(dir, "elsewhere"));
    expect(second.config.state_dir).toBe(join(dir, "elsewhere"));
  });

  test("MCP_GATEWAY_START_CACHE=0 turns it off", async () => {
    const { file, env } = home();
    const off = { ...env, MCP_GATEWAY_START_CACHE: "0" };
    await cached(file, off);
    expect((await cached(file, off)).hit).toBe(false);
  });
});
