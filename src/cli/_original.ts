/**
 * The original gateway's spellings of flags that mean what one of ours means, rewritten to ours
 * before the flag check, so scripts written for it run unchanged (its DEPLOYMENT.md's
 * `mcp-gateway doctor --format json`). Only the command's own words are read (`add`'s backend
 * command after `--` is left alone).
 */

/** How one of the original's flags is written here: the words that replace it and its value. */
type Spelling = (value: string, command: string) => string[];

const CONFIG: Spelling = (value) => ["--config", value];

const SPELLINGS: Record<string, Record<string, Spelling>> = {
  doctor: {
    "--format": doctorFormat,
    "-f": doctorFormat,
  },
  init: { "--output": CONFIG, "-o": CONFIG },
  // The original's `setup wizard`; `setup` and `setup import` are the same command here.
  setup: { "--output": CONFIG, "-o": CONFIG },
  "setup wizard": { "--output": CONFIG, "-o": CONFIG },
  "setup import": { "--output": CONFIG, "-o": CONFIG },
  "setup export": {
    "-t": (value) => ["--target", value],
    "--mode": exportMode,
    "-m": exportMode,
  },
  "cap install": {
    "--output": (value) => ["--dir", value],
    "-o": (value) => ["--dir", value],
  },
};

function doctorFormat(value: string, command: string): string[] {
  if (value === "json") return ["--json"];
  if (value === "table" || value === "plain") return [];
  throw new Error(`${command} --format takes json, table or plain, not ${JSON.stringify(value)}`);
}

function exportMode(value: string, command: string): string[] {
  if (value === "proxy") return ["--client-transport", "http"];
  if (value === "stdio") return ["--client-transport", "stdio"];
  if (value === "auto") return [];
  throw new Error(`${command} --mode takes proxy, stdio or auto, not ${JSON.stringify(value)}`);
}

/**
 * Rewrites the original's flags of the command at `path` (its words from the top) in `argv` (the
 * whole line, `--` and what follows included); throws naming a value the flag does not take.
 */
export function originalSpellings(path: string[], argv: string[]): string[] {
  const dash = argv.indexOf("--");
  const own = dash === -1 ? argv : argv.slice(0, dash);
  const rest = dash === -1 ? [] : argv.slice(dash);
  const name = path.join(" ");
  const command = ["mcp-gateway", ...path].join(" ");
  if (name === "add") return addCommand(own, rest, command);
  const spellings = SPELLINGS[name];
  if (!spellings) return argv;
  const out: string[] = [];
  for (let i = 0; i < own.length; i++) {
    const arg = own[i]!;
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = equals === -1 ? arg : arg.slice(0, equals);
    const spelling = spellings[flag];
    const value = equals === -1 ? own[i + 1] : arg.slice(equals + 1);
    if (!spelling || value === undefined) {
      out.push(arg);
      continue;
    }
    out.push(...spelling(value, command));
    if (equals === -1) i++;
  }
  return [...out, ...rest];
}

/** `add NAME --command "npx -y pkg"`: the command as the words after `--`. */
function addCommand(own: string[], rest: string[], command: string): string[] {
  const at = own.findIndex((arg) => arg === "--command" || arg.startsWith("--command="));
  if (at === -1) return [...own, ...rest];
  const arg = own[at]!;
  const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : own[at + 1];
  if (value === undefined || !value.trim()) {
    throw new Error(`${command} --command needs the server's command, e.g. --command "npx -y pkg"`);
  }
  if (rest.length) {
    throw new Error(`${command}: pass the server's command once, with --command or after --`);
  }
  const kept = [...own.slice(0, at), ...own.slice(at + (arg.includes("=") ? 1 : 2))];
  return [...kept, "--", value];
}
