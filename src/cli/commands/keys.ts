import { defineCommand } from "citty";
import { ConfigEditor, resolveEditablePath } from "../../config/edit.ts";
import { logger } from "../../logger.ts";
import { generateKey, hashKey, keyKind } from "../../security/keys.ts";
import {
  addKeyEntry,
  enableAuth,
  type KeyEntry,
  removeKeyEntry,
} from "../../security/keys-edit.ts";
import { configArg, globalArgs, runAction } from "../_args.ts";

function editorFor(config: string | undefined): ConfigEditor {
  const file = resolveEditablePath({ explicit: config });
  return ConfigEditor.open(file);
}

/** Every value of a flag that may repeat (`--allow a --allow b`, `--allow=a,b`). */
function repeated(rawArgs: string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    let value: string | undefined;
    if (arg === flag) value = rawArgs[++i];
    else if (arg.startsWith(`${flag}=`)) value = arg.slice(flag.length + 1);
    if (value === undefined) continue;
    out.push(
      ...value
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean),
    );
  }
  return out;
}

const create = defineCommand({
  meta: {
    name: "create",
    description:
      "Create an API key: prints it once, stores only its sha256 hash in auth.api_keys (comments are kept)",
  },
  args: {
    name: { type: "positional", required: true, description: "A name for the key (a client)" },
    admin: { type: "boolean", description: "Admin key (reload and operator tools)" },
    allow: {
      type: "string",
      description: "Allow only these server or server:tool globs (repeatable; default everything)",
    },
    deny: { type: "string", description: "Deny these server or server:tool globs (repeatable)" },
    "rate-limit": { type: "string", description: "Requests per minute (default: no limit)" },
    description: { type: "string", description: "What the key is for" },
    "enable-auth": {
      type: "boolean",
      description: "Also turn auth.enabled on (asked on a terminal when it is off)",
    },
    json: { type: "boolean", description: "Print JSON (name and key)" },
    ...configArg,
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    await runAction(async () => {
      const rate = args["rate-limit"] === undefined ? 0 : Number(args["rate-limit"]);
      if (!Number.isInteger(rate) || rate < 0) {
        throw new Error(
          `--rate-limit must be a whole number of requests per minute, got ${args["rate-limit"]}`,
        );
      }
      const editor = editorFor(args.config);
      const tree = editor.tree() as {
        auth?: { api_keys?: { name?: string }[]; enabled?: boolean };
      };
      if (tree.auth?.api_keys?.some((key) => key.name === args.name)) {
        throw new Error(
          `${editor.file}: a key named ${args.name} exists; revoke it first (mcp-gateway keys revoke ${args.name})`,
        );
      }
      const key = generateKey();
      const allow = repeated(rawArgs, "--allow");
      const deny = repeated(rawArgs, "--deny");
      const entry: KeyEntry = {
        name: args.name,
        key: hashKey(key),
        ...(args.description ? { description: args.description } : {}),
        ...(args.admin ? { admin: true } : {}),
        ...(allow.length ? { allowed_tools: allow } : {}),
        ...(deny.length ? { denied_tools: deny } : {}),
        ...(rate ? { rate_limit: rate } : {}),
      };
      editor.text = addKeyEntry(editor.text, editor.file, entry);
      const enable = tree.auth?.enabled !== true && (await offerAuth(editor.file, args));
      if (enable) editor.text = enableAuth(editor.text, editor.file);
      editor.validate(process.env);
      editor.save();
      process.stdout.write(
        args.json ? `${JSON.stringify({ name: args.name, key })}\n` : `${key}\n`,
      );
      logger.success(
        `key ${args.name} added to ${editor.file} (only its sha256 hash is stored: copy the key now, it is not shown again)`,
      );
      if (enable) logger.success(`auth.enabled turned on in ${editor.file}`);
      else if (tree.auth?.enabled !== true) warnAuthOff(editor.file, args.config);
    }, args);
  },
});

/** Whether to turn auth on: `--enable-auth`, else asked on a terminal (yes by default). */
async function offerAuth(
  file: string,
  args: { "enable-auth"?: boolean; json?: boolean },
): Promise<boolean> {
  if (args["enable-auth"]) return true;
  if (args.json || !process.stdin.isTTY || !process.stderr.isTTY) return false;
  // Ctrl-C is a no: the key is still created, and the command to turn auth on is printed.
  const answer = await logger.prompt(
    `auth.enabled is off in ${file}: the gateway does not ask for keys. Turn it on?`,
    { type: "confirm", initial: true, cancel: "null" },
  );
  return answer === true;
}

function warnAuthOff(file: string, config: string | undefined): void {
  const flag = config ? ` --config ${JSON.stringify(file)}` : "";
  logger.warn(
    `auth.enabled is off in ${file}: the gateway does not ask for keys yet; turn it on with: mcp-gateway keys enable${flag}`,
  );
}

const enable = defineCommand({
  meta: {
    name: "enable",
    description: "Turn auth.enabled on: clients must then send one of the keys (comments are kept)",
  },
  args: { ...configArg, ...globalArgs },
  async run({ args }) {
    await runAction(() => {
      const editor = editorFor(args.config);
      const auth = editor.tree().auth as { enabled?: unknown } | undefined;
      if (auth?.enabled === true) {
        logger.info(`auth.enabled is already on in ${editor.file}`);
        return;
      }
      editor.text = enableAuth(editor.text, editor.file);
      editor.validate(process.env);
      editor.save();
      logger.success(`auth.enabled turned on in ${editor.file}`);
    }, args);
  },
});

const list = defineCommand({
  meta: { name: "list", description: "List API keys (names, scopes and limits; never the keys)" },
  args: { json: { type: "boolean", description: "Print JSON" }, ...configArg, ...globalArgs },
  async run({ args }) {
    await runAction(() => {
      const editor = editorFor(args.config);
      const keys = ((editor.tree().auth as { api_keys?: unknown[] } | undefined)?.api_keys ??
        []) as (KeyEntry & { backends?: string[] })[];
      const rows = keys.map((key) => ({
        name: key.name,
        stored: typeof key.key === "string" ? keyKind(key.key) : "missing",
        admin: key.admin === true,
        allowed_tools: [...(key.backends ?? []).map((b) => `${b}:*`), ...(key.allowed_tools ?? [])],
        denied_tools: key.denied_tools ?? [],
        rate_limit: key.rate_limit ?? 0,
      }));
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ keys: rows }, null, 2)}\n`);
        return;
      }
      if (!rows.length) {
        logger.info(`no keys in ${editor.file}; create one with mcp-gateway keys create NAME`);
        return;
      }
      for (const row of rows) {
        const scope = [
          row.allowed_tools.length ? `allow ${row.allowed_tools.join(",")}` : "all tools",
          row.denied_tools.length ? `deny ${row.denied_tools.join(",")}` : "",
          row.rate_limit ? `${row.rate_limit}/min` : "",
        ]
          .filter(Boolean)
          .join("  ");
        process.stdout.write(
          `${row.name.padEnd(20)} ${row.stored.padEnd(9)} ${row.admin ? "admin" : "     "}  ${scope}\n`,
        );
      }
    }, args);
  },
});

const revoke = defineCommand({
  meta: {
    name: "revoke",
    description: "Remove an API key; a running gateway stops accepting it within a second",
  },
  args: {
    name: { type: "positional", required: true, description: "The key's name" },
    ...configArg,
    ...globalArgs,
  },
  async run({ args }) {
    await runAction(() => {
      const editor = editorFor(args.config);
      const text = removeKeyEntry(editor.text, editor.file, args.name);
      if (text === undefined) throw new Error(`${editor.file}: no key named ${args.name}`);
      editor.text = text;
      editor.validate(process.env);
      editor.save();
      logger.success(`revoked key ${args.name} in ${editor.file}`);
    }, args);
  },
});

export default defineCommand({
  meta: { name: "keys", description: "Manage API keys: keys create|list|revoke|enable" },
  subCommands: { create, list, revoke, enable },
});
