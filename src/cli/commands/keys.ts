import { existsSync, readFileSync } from "node:fs";
import { defineCommand } from "citty";
import type { ConfigEditor } from "../../config/edit.ts";
import type { ResolvedConfig } from "../../config/load.ts";
import { parseConfigText, resolveEditablePath } from "../../config/locate.ts";
import { logger } from "../../logger.ts";
import { generateKey, hashKey, keyKind } from "../../security/keys.ts";
import type { KeyEntry } from "../../security/keys-edit.ts";
import { unmatchedScopes } from "../../security/scope-lint.ts";
import { runAction, runPrinting } from "../_args.ts";
import {
  keysCreateSpec,
  keysEnableSpec,
  keysListSpec,
  keysRevokeSpec,
  keysSpec,
} from "../_tree.ts";

/** The config opened for editing; the editor loads only for the commands that write. */
async function editorFor(config: string | undefined): Promise<ConfigEditor> {
  const { ConfigEditor } = await import("../../config/edit.ts");
  return ConfigEditor.open(resolveEditablePath({ explicit: config }));
}

const keysEdit = () => import("../../security/keys-edit.ts");

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
  ...keysCreateSpec,
  async run({ args, rawArgs }) {
    await runAction(async () => {
      const rate = args["rate-limit"] === undefined ? 0 : Number(args["rate-limit"]);
      if (!Number.isInteger(rate) || rate < 0) {
        throw new Error(
          `--rate-limit must be a whole number of requests per minute, got ${args["rate-limit"]}`,
        );
      }
      const editor = await editorFor(args.config);
      const { addKeyEntry, enableAuth } = await keysEdit();
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
      const config = editor.validate(process.env);
      editor.save();
      process.stdout.write(
        args.json ? `${JSON.stringify({ name: args.name, key })}\n` : `${key}\n`,
      );
      for (const message of unmatchedOfNewKey(config, args.name)) logger.warn(message);
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
  ...keysEnableSpec,
  async run({ args }) {
    await runAction(async () => {
      const editor = await editorFor(args.config);
      const { enableAuth } = await keysEdit();
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
  ...keysListSpec,
  async run({ args }) {
    await runPrinting(() => {
      // Read, not opened for editing: no yaml editor and no schema (shell completion runs this).
      const file = resolveEditablePath({ explicit: args.config });
      const text = existsSync(file) ? readFileSync(file, "utf8") : "";
      const tree = (text.trim() ? parseConfigText(text, file) : null) ?? {};
      if (typeof tree !== "object" || Array.isArray(tree)) {
        throw new Error(`${file}: expected a mapping at the top level`);
      }
      const auth = (tree as { auth?: { api_keys?: unknown[] } }).auth;
      const keys = (auth?.api_keys ?? []) as (KeyEntry & { backends?: string[] })[];
      const rows = keys.map((key) => ({
        name: key.name,
        stored: typeof key.key === "string" ? keyKind(key.key) : "missing",
        admin: key.admin === true,
        allowed_tools: [...(key.backends ?? []).map((b) => `${b}:*`), ...(key.allowed_tools ?? [])],
        denied_tools: key.denied_tools ?? [],
        rate_limit: key.rate_limit ?? 0,
      }));
      if (args.json) {
        console.log(JSON.stringify({ keys: rows }, null, 2));
        return;
      }
      if (!rows.length) {
        logger.info(`no keys in ${file}; create one with mcp-gateway keys create NAME`);
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
        console.log(
          `${row.name.padEnd(20)} ${row.stored.padEnd(9)} ${row.admin ? "admin" : "     "}  ${scope}`,
        );
      }
    }, args);
  },
});

const revoke = defineCommand({
  ...keysRevokeSpec,
  async run({ args }) {
    await runAction(async () => {
      const editor = await editorFor(args.config);
      const { removeKeyEntry } = await keysEdit();
      const text = removeKeyEntry(editor.text, editor.file, args.name);
      if (text === undefined) {
        const keys = (editor.tree().auth as { api_keys?: { name?: unknown }[] } | undefined)
          ?.api_keys;
        const names = (keys ?? []).flatMap((key) =>
          typeof key.name === "string" ? [key.name] : [],
        );
        const { closeMatches } = await import("../../gateway/suggest.ts");
        const close = closeMatches(args.name, names);
        const hint = close.length
          ? `; did you mean ${close.join(" or ")}?`
          : names.length
            ? ` (its keys: ${names.join(", ")})`
            : " (it has no keys)";
        throw new Error(`${editor.file}: no key named ${args.name}${hint}`);
      }
      editor.text = text;
      // Said as what it is: the file itself would read as broken ("auth is on but no api_keys").
      const auth = editor.tree().auth as
        | { enabled?: unknown; api_keys?: unknown[]; bearer_token?: unknown; oauth?: unknown }
        | undefined;
      if (auth?.enabled === true && !auth.api_keys?.length && !auth.bearer_token && !auth.oauth) {
        throw new Error(
          `${editor.file}: ${args.name} is the last key and auth.enabled is on, so nobody could connect; create another key first (mcp-gateway keys create NAME), or set auth.enabled: false; nothing was changed`,
        );
      }
      editor.validate(process.env);
      editor.save();
      logger.success(`revoked key ${args.name} in ${editor.file}`);
    }, args);
  },
});

export default defineCommand({
  meta: keysSpec.meta,
  subCommands: { create, list, revoke, enable },
});

/**
 * The new key's patterns that match no configured server: a typo in `--allow` grants
 * nothing, one in `--deny` denies nothing. Tool names are not known here (doctor checks them).
 */
function unmatchedOfNewKey(config: ResolvedConfig, name: string): string[] {
  const servers = config.backends.map((backend) => backend.name);
  if (config.capabilities.enabled) servers.push(config.capabilities.name);
  if (config.skills.enabled) servers.push("skills");
  const path = `auth.api_keys[${config.auth.api_keys.findIndex((key) => key.name === name)}]`;
  return unmatchedScopes({ ...config.auth, enabled: true }, servers)
    .filter((unmatched) => unmatched.path.startsWith(`${path}.`))
    .map((unmatched) => unmatched.message);
}
