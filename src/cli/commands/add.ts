import { defineCommand } from "citty";
import { parseDuration } from "../../config/duration.ts";
import { type BackendEntry, ConfigEditor, resolveEditablePath } from "../../config/edit.ts";
import { splitCommandLine } from "../../config/load.ts";
import { backendNameProblem } from "../../config/schema.ts";
import { closeMatches } from "../../gateway/suggest.ts";
import { logger } from "../../logger.ts";
import {
  findRegistryEntry,
  REGISTRY,
  registryBackend,
  registryVariables,
} from "../../registry/servers.ts";
import { isSecret } from "../../setup/secrets.ts";
import { starterConfig } from "../../setup/starter.ts";
import { runAction } from "../_args.ts";
import { addSpec } from "../_tree.ts";

export default defineCommand({
  ...addSpec,
  async run({ args, rawArgs }) {
    await runAction(() => {
      if (args.list) return printRegistry(args.json === true);
      const dash = rawArgs.indexOf("--");
      const flags = dash === -1 ? rawArgs : rawArgs.slice(0, dash);
      const command = dash === -1 ? [] : rawArgs.slice(dash + 1);
      const name = args.name;
      if (!name || !flags.includes(name)) {
        throw new Error("add needs a NAME before `--`: mcp-gateway add NAME -- COMMAND ARGS...");
      }
      checkName(name);
      const entry = buildEntry(name, args, command, flags);
      const file = resolveEditablePath({ explicit: args.config });
      const editor = ConfigEditor.open(file, starterConfig());
      if (name in editor.backends() && !args.force) {
        throw new Error(
          `${file}: backends.${name} already exists; pass --force to replace it, or remove it first`,
        );
      }
      editor.setBackend(name, entry);
      editor.validate(process.env);
      editor.save();
      logger.success(`added backend ${name} to ${file}`);
      for (const [key, value] of Object.entries({ ...entry.env, ...entry.headers })) {
        if (isSecret(key, value)) {
          logger.warn(
            `${key} is stored in plain text; to keep it out of the file write -e '${key}=\${${key}}' and set ${key} in the environment`,
          );
        }
      }
    }, args);
  },
});

interface AddArgs {
  url?: string;
  description?: string;
  transport?: string;
  timeout?: string;
  registry?: string;
}

function checkName(name: string): void {
  const problem = backendNameProblem(name);
  if (problem) throw new Error(`backend name "${name}": ${problem}`);
  if (name === "gateway" || name === "capabilities") {
    throw new Error(`backend name "${name}" is reserved for the gateway's capabilities`);
  }
}

function buildEntry(name: string, args: AddArgs, command: string[], flags: string[]): BackendEntry {
  if (command.length > 0 && args.url) {
    throw new Error("give either a command after `--` or --url, not both");
  }
  let entry: BackendEntry;
  if (command.length > 0) {
    const words = command.length === 1 ? splitCommandLine(command[0]!) : command;
    entry = { command: words[0]!, args: words.slice(1) };
  } else if (args.url) {
    if (!/^https?:\/\/\S+$/.test(args.url)) {
      throw new Error(`--url must be an http:// or https:// URL, got ${args.url}`);
    }
    entry = { url: args.url };
  } else {
    entry = fromRegistry(args.registry ?? name);
  }
  const env = collect(flags, ["-e", "--env"]).map((pair) => split(pair, "=", "-e", "KEY=VALUE"));
  const headers = collect(flags, ["-H", "--header"]).map((pair) =>
    split(pair, ":", "--header", '"Name: value"'),
  );
  if (env.length > 0) entry.env = { ...entry.env, ...Object.fromEntries(env) };
  if (headers.length > 0) {
    if (!entry.url) throw new Error("--header applies to remote servers (--url)");
    entry.headers = Object.fromEntries(headers);
  }
  if (args.transport) {
    if (!entry.url) throw new Error("--transport applies to remote servers (--url)");
    if (!["streamable-http", "sse", "auto"].includes(args.transport)) {
      throw new Error(`--transport must be streamable-http, sse or auto, got ${args.transport}`);
    }
    entry.transport = args.transport;
  }
  if (args.timeout) {
    if (parseDuration(args.timeout) === undefined) {
      throw new Error(`--timeout must be a duration like 30s, 5m or 500ms, got ${args.timeout}`);
    }
    entry.timeout = args.timeout;
  }
  if (args.description) entry.description = args.description;
  return entry;
}

function fromRegistry(name: string): BackendEntry {
  const known = findRegistryEntry(name);
  if (!known) {
    const guess = closeMatches(
      name,
      REGISTRY.map((entry) => entry.name),
      1,
    )[0];
    throw new Error(
      `${name} is not a known server${guess ? ` (did you mean ${guess}?)` : ""}: give its command after \`--\`, or --url URL; \`mcp-gateway add --list\` shows the ${REGISTRY.length} known servers`,
    );
  }
  const variables = registryVariables(known);
  for (const variable of variables) {
    const need = variable.required === false ? "optional" : "set";
    const how = variable.required === false ? ` (add with -e ${variable.name}=...)` : "";
    logger.info(`${need} ${variable.name}: ${variable.description}${how}`);
  }
  return registryBackend(known);
}

/** Every value of a repeatable flag: `-e A=1 --env B=2 --env=C=3`. */
function collect(flags: string[], names: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    const inline = names.find((name) => flag.startsWith(`${name}=`));
    if (inline) out.push(flag.slice(inline.length + 1));
    else if (names.includes(flag)) {
      const value = flags[i + 1];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      out.push(value);
      i++;
    }
  }
  return out;
}

function split(pair: string, separator: string, flag: string, shape: string): [string, string] {
  const at = pair.indexOf(separator);
  const key = at > 0 ? pair.slice(0, at).trim() : "";
  if (!key) throw new Error(`${flag} takes ${shape}, got "${pair}"`);
  return [key, pair.slice(at + 1).trim()];
}

function printRegistry(json: boolean): void {
  if (json) {
    const list = REGISTRY.map((entry) => ({
      name: entry.name,
      description: entry.description,
      package: entry.package,
      command: entry.command,
      args: entry.args,
      variables: registryVariables(entry),
    }));
    process.stdout.write(`${JSON.stringify({ servers: list }, null, 2)}\n`);
    return;
  }
  const width = Math.max(...REGISTRY.map((entry) => entry.name.length));
  for (const entry of REGISTRY) {
    process.stdout.write(`${entry.name.padEnd(width)}  ${entry.description}\n`);
  }
}
