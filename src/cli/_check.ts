import type { ArgDef } from "citty";
import { closeMatches } from "../gateway/suggest.ts";
import type { CommandSpec } from "./_tree.ts";

/** Where a command line lands in the tree, or why it lands nowhere. */
export interface Located {
  /** The command named, e.g. `keys create`'s spec. */
  spec: CommandSpec;
  /** Its words from the top: `["keys", "create"]`. */
  path: string[];
  /** Set when a word names no command: the whole line means nothing. */
  unknownCommand?: string;
  /** Set when a flag is not one of the command's (`--help` still shows the command's help). */
  unknownFlag?: string;
  /** Set when the command is a group (`keys`) and none of its commands was named. */
  incomplete?: string;
}

/**
 * Walks `argv` (the part before `--`) down `tree` the way citty does, and checks every flag
 * against the command it was given to: citty passes unknown flags through, so `list --jsn` would
 * silently print a table. A wrong verb or flag is reported with the closest names.
 */
export function locate(tree: CommandSpec, argv: string[]): Located {
  let spec = tree;
  const path: string[] = [];
  // A wrong flag is remembered, not fatal yet: `--help` still finds the command it was given to.
  let unknownFlag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith("-") && arg !== "-") {
      const checked = checkFlag(spec, arg, path);
      if (checked.problem) unknownFlag ??= checked.problem;
      if (checked.takesValue) i++;
      continue;
    }
    const subs = spec.subCommands;
    // A positional argument of a leaf command, unless it is the original's subcommand of it
    // (`audit verify`): that would run the command as if it were not there.
    if (!subs) {
      const original = path.length ? ORIGINAL_COMMANDS[[...path, arg].join(" ")] : undefined;
      if (original) {
        return {
          spec,
          path,
          unknownCommand: `unknown command ${[...path, arg].join(" ")}: ${original}`,
        };
      }
      continue;
    }
    const sub = subs[arg];
    if (!sub) {
      const names = visibleNames(spec);
      const close = closeMatches(arg, names);
      const hint = close.length
        ? `did you mean ${close.join(" or ")}?`
        : `one of ${names.join(", ")}`;
      // The original's `tool completions` says more than its `tool`: the longest spelling wins.
      const next = argv[i + 1];
      const words = [...path, arg];
      const longer = next && !next.startsWith("-") ? [...words, next].join(" ") : undefined;
      const original =
        (longer === undefined ? undefined : ORIGINAL_COMMANDS[longer]) ??
        ORIGINAL_COMMANDS[words.join(" ")];
      const named = longer !== undefined && ORIGINAL_COMMANDS[longer] ? longer : words.join(" ");
      const unknownCommand = `unknown command ${named}: ${original ?? hint}`;
      return { spec, path, unknownCommand };
    }
    spec = sub;
    path.push(arg);
  }
  if (unknownFlag) return { spec, path, unknownFlag };
  if (spec.subCommands && !spec.args && !spec.default) {
    const names = visibleNames(spec).join(", ");
    return { spec, path, incomplete: `${path.join(" ")} needs a command: ${names}` };
  }
  return { spec, path };
}

const visibleNames = (spec: CommandSpec) =>
  Object.entries(spec.subCommands ?? {})
    .filter(([, sub]) => !sub.meta.hidden)
    .map(([name]) => name);

/**
 * The original's flags are global (`mcp-gateway -c gateway.yaml serve --stdio`, as its systemd
 * units and client entries say): flags written before the command word are moved after the whole
 * command line (before `--`), where the command checks them as its own. A flag none of the
 * commands takes stops the move, and the check then names it.
 */
export function flagsAfterCommand(tree: CommandSpec, argv: string[]): string[] {
  const commands = tree.subCommands ?? {};
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith("-") && argv[i] !== "--") {
    const arg = argv[i]!;
    const equals = arg.indexOf("=");
    const name = equals === -1 ? arg : arg.slice(0, equals);
    const takesValue = subcommandFlag(tree, name);
    if (takesValue === undefined || name === "--help" || name === "-h") return argv;
    i += takesValue && equals === -1 ? 2 : 1;
  }
  if (i === 0 || i >= argv.length || !(argv[i]! in commands)) return argv;
  const dash = argv.indexOf("--", i);
  const end = dash === -1 ? argv.length : dash;
  return [...argv.slice(i, end), ...argv.slice(0, i), ...argv.slice(end)];
}

/** Whether a command right under `spec` takes flag `name` and a value with it (undefined: none does). */
function subcommandFlag(spec: CommandSpec, name: string): boolean | undefined {
  for (const sub of Object.values(spec.subCommands ?? {})) {
    const takesValue = flagsOf(sub, false).get(name);
    if (takesValue !== undefined) return takesValue;
  }
  return undefined;
}

/** A flag's spellings for `spec` (`--json`, `-q`), each with whether it takes a value. */
function flagsOf(spec: CommandSpec, root: boolean): Map<string, boolean> {
  const flags = new Map<string, boolean>([
    ["--help", false],
    ["-h", false],
  ]);
  if (root) flags.set("--version", false).set("-v", false);
  for (const [name, def] of Object.entries(spec.args ?? {}) as [string, ArgDef][]) {
    if (def.type === "positional") continue;
    const takesValue = def.type === "string" || def.type === "enum";
    flags.set(`--${name}`, takesValue);
    if (def.type === "boolean") flags.set(`--no-${name}`, false);
    const aliases = "alias" in def && def.alias ? [def.alias].flat() : [];
    for (const alias of aliases)
      flags.set(alias.length === 1 ? `-${alias}` : `--${alias}`, takesValue);
  }
  return flags;
}

/** Whether `arg` takes the next word as its value, and what is wrong if it is not `spec`'s. */
function checkFlag(
  spec: CommandSpec,
  arg: string,
  path: string[],
): { takesValue: boolean; problem?: string } {
  const flags = flagsOf(spec, path.length === 0);
  const equals = arg.indexOf("=");
  const name = equals === -1 ? arg : arg.slice(0, equals);
  const known = flags.get(name);
  if (known !== undefined) return { takesValue: known && equals === -1 };
  // `-qy` is `-q -y`; `-n5` is `-n 5`.
  if (!name.startsWith("--") && name.length > 2) {
    const first = flags.get(name.slice(0, 2));
    if (first === true) return { takesValue: false };
    const shorts = [...name.slice(1)].map((letter) => flags.get(`-${letter}`));
    if (shorts.every((takes) => takes === false)) return { takesValue: false };
  }
  const command = ["mcp-gateway", ...path].join(" ");
  // `mcp-gateway keys --json list`: the flag is right, its place is not.
  const owned = subcommandFlag(spec, name);
  if (owned !== undefined) {
    const takesValue = owned && equals === -1;
    const example = `${command} <command> ${name}`;
    const problem = `unknown option ${name} for ${command}: flags go after the command (${example})`;
    return { takesValue, problem };
  }
  const original = ORIGINAL_FLAGS[`${path.join(" ")} ${name}`];
  if (original)
    return {
      takesValue: original.takesValue,
      problem: `unknown option ${name} for ${command}: ${original.hint}`,
    };
  const longs = [...flags.keys()].filter((flag) => flag.startsWith("--")).map((f) => f.slice(2));
  const close = closeMatches(name.replace(/^-+/, ""), longs).map((flag) => `--${flag}`);
  const hint = close.length ? `: did you mean ${close.join(" or ")}?` : "";
  return { takesValue: false, problem: `unknown option ${name} for ${command}${hint}` };
}

/** The original gateway's flags, by `command flag`, with how the same is written here. */
const ORIGINAL_FLAGS: Record<string, { takesValue: boolean; hint: string }> = {
  "doctor --shadow": {
    takesValue: false,
    hint: "shadow scans are not implemented; mcp-gateway setup --dry-run lists the MCP servers your AI clients run outside the gateway",
  },
  "cap search --capabilities": {
    takesValue: true,
    hint: "cap search searches the built-in catalog (and says which are installed); the capabilities in a folder are listed by mcp-gateway cap list DIR",
  },
  "cap install --from-github": {
    takesValue: false,
    hint: "cap install copies a built-in capability; a file from GitHub goes into your capabilities folder as it is (the folder is watched, cap validate checks it)",
  },
  "cap install --repo": {
    takesValue: true,
    hint: "cap install copies a built-in capability; a file from GitHub goes into your capabilities folder as it is (the folder is watched, cap validate checks it)",
  },
  "cap install --branch": {
    takesValue: true,
    hint: "cap install copies a built-in capability; a file from GitHub goes into your capabilities folder as it is (the folder is watched, cap validate checks it)",
  },
};

/** The original gateway's commands that are spelled otherwise here. */
const ORIGINAL_COMMANDS: Record<string, string> = {
  get: "a backend's settings are shown by mcp-gateway list (--json for every field)",
  validate: "capability files are checked by mcp-gateway cap validate PATH... (no SARIF output)",
  tool: "a capability runs with mcp-gateway cap test NAME --args JSON (cap list lists them); any tool, through the gateway, with mcp-gateway tools call SERVER TOOL --args JSON",
  stats:
    "usage is on the dashboard (/ui) and GET /api/usage of a running gateway; mcp-gateway tools eval shows how search did",
  "cap import-url": "mcp-gateway cap import URL takes the URL of an OpenAPI document",
  "cap registry-list": "the built-in catalog is searched with mcp-gateway cap search WORDS",
  "cap discover":
    "mcp-gateway setup finds the MCP servers your AI clients run and imports them (--dry-run to only look)",
  "skills generate":
    "not implemented: capabilities are served as tools (mcp-gateway cap list lists them)",
  upgrade:
    "nothing to migrate: this gateway reads the original's files as they are (mcp-gateway doctor checks them)",
  "tool completions": "shell completions are mcp-gateway completions bash|zsh|fish",
  "tool list":
    "capabilities are listed by mcp-gateway cap list; every tool, through the running gateway, by mcp-gateway tools search WORDS",
  "tool inspect":
    "mcp-gateway tools search NAME shows a tool's input schema (cap list --json a capability's file)",
  import:
    "mcp-gateway cap import SPEC imports an OpenAPI (or Swagger 2.0) document into capability files; GraphQL, Postman and OCI packages are not imported",
  ranking: "mcp-gateway tools eval replays recorded searches and prints hit@1 and hit@5",
  tls: "certificates are not made here: make them with your CA (openssl, mkcert) and set server.tls (cert, key, client_ca; docs/security.md)",
  trust:
    "trust cards are not produced; mcp-gateway lock pins every backend tool's definition and capability file (gateway.lock)",
  identity:
    "identity grants are not implemented; a key's scopes are set with mcp-gateway keys create NAME --allow/--deny",
  plugin:
    "plugins are not implemented; capabilities come from the built-in catalog (cap search, cap install) and your folders, skills from mcp-gateway skills import",
  kubernetes:
    "there is no controller; deploy/kubernetes/ has plain manifests for the container image (docs/scaling.md)",
  runtime:
    "runtime profiles are not implemented: each stdio backend runs as the command its config names",
  "audit verify":
    "the original's hash-chained transparency log is not kept; mcp-gateway audit lists the calls, refusals and admin actions recorded in the state database",
  "audit show":
    "mcp-gateway audit lists the log, filtered by --caller, --tool and --since (not by session)",
};

const LEVELS = ["silent", "error", "warn", "info", "debug", "trace"];

/** `--log-level` / `--log-format` (or their MCP_GATEWAY_* variables), checked; throws if wrong. */
export function checkLogArgs(args: { "log-level"?: string; "log-format"?: string }): {
  level?: string;
  format?: "text" | "json";
} {
  const level = args["log-level"] ?? process.env.MCP_GATEWAY_LOG_LEVEL;
  // A wrong value names where it came from: a flag the user did not type sent them looking.
  const levelFrom = args["log-level"] === undefined ? "MCP_GATEWAY_LOG_LEVEL" : "--log-level";
  if (level && !LEVELS.includes(level)) {
    throw new Error(`${levelFrom} must be one of ${LEVELS.join(", ")}, got ${level}`);
  }
  const format = args["log-format"] ?? process.env.MCP_GATEWAY_LOG_FORMAT;
  const formatFrom = args["log-format"] === undefined ? "MCP_GATEWAY_LOG_FORMAT" : "--log-format";
  if (format && format !== "text" && format !== "json") {
    throw new Error(`${formatFrom} must be text or json, got ${format}`);
  }
  return {
    level: level || undefined,
    format: (format || undefined) as "text" | "json" | undefined,
  };
}
