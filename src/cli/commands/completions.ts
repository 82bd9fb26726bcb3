import { type ArgsDef, type CommandDef, defineCommand } from "citty";
import { REGISTRY } from "../../registry/servers.ts";
import { CLIENT_IDS } from "../../setup/client-ids.ts";
import { checkLogArgs } from "../_check.ts";
import { completionsSpec, tree } from "../_tree.ts";

/** One command of the tree, as the shell scripts need it. */
interface CommandSpec {
  /** Words from the top: `""` for the binary, `"setup restore"`. */
  path: string;
  name: string;
  description: string;
  flags: FlagSpec[];
  subcommands: CommandSpec[];
}

interface FlagSpec {
  long: string;
  short?: string;
  description: string;
  takesValue: boolean;
  choices?: string[];
  files?: "file" | "dir";
}

/** Values a flag takes wherever it appears. */
const FLAG_CHOICES: Record<string, string[]> = {
  "log-level": ["silent", "error", "warn", "info", "debug", "trace"],
  "log-format": ["text", "json"],
  client: [...CLIENT_IDS],
  "client-transport": ["http", "stdio"],
  transport: ["streamable-http", "sse", "auto"],
};
const FILE_FLAGS: Record<string, "file" | "dir"> = {
  config: "file",
  output: "dir",
  project: "dir",
};

const BACKENDS = "$(mcp-gateway list --quiet 2>/dev/null)";
/** What a command's positional argument completes to: words, or a shell expression. */
const POSITIONALS: Record<string, string> = {
  remove: BACKENDS,
  add: REGISTRY.map((entry) => entry.name).join(" "),
  completions: "bash zsh fish",
};

export default defineCommand({
  ...completionsSpec,
  // No runAction: it loads the logger (consola), which alone takes this past its memory budget.
  // An error thrown here is printed by runCli.
  async run({ args }) {
    checkLogArgs(args);
    const renderers: Record<string, (spec: CommandSpec) => string> = {
      bash: renderBash,
      zsh: renderZsh,
      fish: renderFish,
    };
    const render = renderers[args.shell ?? ""];
    if (!render) throw new Error(`completions: shell must be bash, zsh or fish, got ${args.shell}`);
    // console.log, not process.stdout.write: Bun's stdout stream costs megabytes to set up.
    console.log(render(await describe(tree as CommandDef, "")).trimEnd());
  },
});

const resolve = async <T>(value: T | (() => T | Promise<T>) | Promise<T>): Promise<T> =>
  typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;

async function describe(command: CommandDef, path: string): Promise<CommandSpec> {
  const meta = (await resolve(command.meta)) ?? {};
  const args = ((await resolve(command.args)) ?? {}) as ArgsDef;
  const flags: FlagSpec[] = [
    { long: "help", short: "h", description: "Show help", takesValue: false },
  ];
  if (!path)
    flags.push({ long: "version", short: "v", description: "Show the version", takesValue: false });
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const aliases = (def as { alias?: string | string[] }).alias ?? [];
    const alias = [aliases].flat().find((a) => a.length === 1);
    const choices =
      def.type === "enum" ? (def as { options?: string[] }).options : FLAG_CHOICES[name];
    flags.push({
      long: name,
      short: alias,
      description: def.description ?? "",
      takesValue: def.type !== "boolean",
      choices,
      files: FILE_FLAGS[name],
    });
  }
  const subcommands: CommandSpec[] = [];
  const subs = (await resolve(command.subCommands)) ?? {};
  for (const [name, sub] of Object.entries(subs)) {
    const resolved = (await resolve(sub)) as CommandDef;
    const subMeta = (await resolve(resolved.meta)) ?? {};
    if (subMeta.hidden) continue;
    subcommands.push(await describe(resolved, path ? `${path} ${name}` : name));
  }
  return {
    path,
    name: path.split(" ").at(-1) ?? "",
    description: meta.description ?? "",
    flags,
    subcommands,
  };
}

function flatten(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(flatten)];
}

const flagWords = (flag: FlagSpec) => [`--${flag.long}`, ...(flag.short ? [`-${flag.short}`] : [])];
const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Shell functions shared by bash and zsh (plain `case`, no associative arrays: bash 3 works). */
function helpers(spec: CommandSpec): string {
  const all = flatten(spec);
  const cases = (body: (command: CommandSpec) => string) =>
    all.map((command) => `    ${sq(command.path)}) ${body(command)} ;;`).join("\n");
  const choices: string[] = [];
  for (const command of all) {
    for (const flag of command.flags) {
      if (!flag.choices) continue;
      for (const word of flagWords(flag)) {
        choices.push(`    ${sq(`${command.path}|${word}`)}) echo ${sq(flag.choices.join(" "))} ;;`);
      }
    }
  }
  const positionals = Object.entries(POSITIONALS)
    .map(([path, words]) => `    ${sq(path)}) echo "${words}" ;;`)
    .join("\n");
  return `_mcp_gateway_subs() {
  case "$1" in
${cases((c) => `echo ${sq(c.subcommands.map((s) => s.name).join(" "))}`)}
  esac
}
_mcp_gateway_flags() {
  case "$1" in
${cases((c) => `echo ${sq(c.flags.flatMap(flagWords).join(" "))}`)}
  esac
}
_mcp_gateway_valued() {
  case "$1" in
${cases(
  (c) =>
    `echo ${sq(
      c.flags
        .filter((f) => f.takesValue)
        .flatMap(flagWords)
        .join(" "),
    )}`,
)}
  esac
}
_mcp_gateway_files() {
  case "$1" in
${Object.entries(FILE_FLAGS)
  .map(([name, kind]) => `    --${name}${name === "config" ? "|-c" : ""}) echo ${kind} ;;`)
  .join("\n")}
  esac
}
_mcp_gateway_choices() {
  case "$1|$2" in
${choices.join("\n")}
  esac
}
_mcp_gateway_positional() {
  case "$1" in
${positionals}
  esac
}
_mcp_gateway_path() {
  # The command path of the words before the cursor ("setup restore"), skipping flag values.
  local cmdpath="" skip=0 word
  for word in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$word" in
      -*=*) ;;
      -*) case " $(_mcp_gateway_valued "$cmdpath") " in *" $word "*) skip=1 ;; esac ;;
      *) case " $(_mcp_gateway_subs "$cmdpath") " in *" $word "*) cmdpath="\${cmdpath:+$cmdpath }$word" ;; esac ;;
    esac
  done
  echo "$cmdpath"
}
`;
}

function renderBash(spec: CommandSpec): string {
  return `# bash completion for mcp-gateway. Load it with: source <(mcp-gateway completions bash)
${helpers(spec)}
_mcp_gateway() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmdpath words
  cmdpath="$(_mcp_gateway_path "\${COMP_WORDS[@]:1:COMP_CWORD-1}")"
  COMPREPLY=()
  case "$(_mcp_gateway_files "$prev")" in
    file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
  esac
  words="$(_mcp_gateway_choices "$cmdpath" "$prev")"
  if [ -n "$words" ]; then COMPREPLY=($(compgen -W "$words" -- "$cur")); return; fi
  case " $(_mcp_gateway_valued "$cmdpath") " in *" $prev "*) return ;; esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_mcp_gateway_flags "$cmdpath")" -- "$cur")); return
  fi
  words="$(_mcp_gateway_subs "$cmdpath")"
  [ -z "$words" ] && words="$(_mcp_gateway_positional "$cmdpath")"
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _mcp_gateway mcp-gateway
`;
}

function renderZsh(spec: CommandSpec): string {
  const described = flatten(spec)
    .filter((command) => command.subcommands.length > 0)
    .map(
      (command) =>
        `    ${sq(command.path)}) items=(${command.subcommands.map((s) => sq(`${s.name}:${s.description}`)).join(" ")}) ;;`,
    )
    .join("\n");
  return `#compdef mcp-gateway
# zsh completion for mcp-gateway. Load it with: source <(mcp-gateway completions zsh)
# (compinit must have run), or save it as _mcp-gateway in a folder of your $fpath.
${helpers(spec)}
_mcp_gateway() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmdpath choices
  local -a items
  cmdpath="$(_mcp_gateway_path "\${(@)words[2,CURRENT-1]}")"
  case "$(_mcp_gateway_files "$prev")" in
    file) _files; return ;;
    dir) _files -/; return ;;
  esac
  choices="$(_mcp_gateway_choices "$cmdpath" "$prev")"
  if [[ -n $choices ]]; then compadd -- \${=choices}; return; fi
  case " $(_mcp_gateway_valued "$cmdpath") " in *" $prev "*) return 1 ;; esac
  if [[ $cur == -* ]]; then compadd -- \${=$(_mcp_gateway_flags "$cmdpath")}; return; fi
  case "$cmdpath" in
${described}
  esac
  if (( \${#items} )); then _describe 'command' items; return; fi
  compadd -- \${=$(_mcp_gateway_positional "$cmdpath")}
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _mcp_gateway "$@"
else
  compdef _mcp_gateway mcp-gateway
fi
`;
}

function renderFish(spec: CommandSpec): string {
  const lines = [
    "# fish completion for mcp-gateway. Load it with: mcp-gateway completions fish | source",
    "complete -c mcp-gateway -f",
  ];
  const fq = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  const condition = (path: string, subcommands: CommandSpec[]) => {
    const words = path.split(" ").filter(Boolean);
    const parts = words.length
      ? words.map((word) => `__fish_seen_subcommand_from ${word}`)
      : ["__fish_use_subcommand"];
    if (words.length && subcommands.length) {
      parts.push(`not __fish_seen_subcommand_from ${subcommands.map((s) => s.name).join(" ")}`);
    }
    return fq(parts.join("; and "));
  };
  for (const command of flatten(spec)) {
    const when = condition(command.path, command.subcommands);
    for (const sub of command.subcommands) {
      lines.push(`complete -c mcp-gateway -n ${when} -a ${sub.name} -d ${fq(sub.description)}`);
    }
    for (const flag of command.flags) {
      let line = `complete -c mcp-gateway -n ${when} -l ${flag.long}`;
      if (flag.short) line += ` -s ${flag.short}`;
      if (flag.files)
        line += flag.files === "dir" ? " -r -a '(__fish_complete_directories)'" : " -r -F";
      else if (flag.choices) line += ` -x -a ${fq(flag.choices.join(" "))}`;
      else if (flag.takesValue) line += " -x";
      lines.push(`${line} -d ${fq(flag.description)}`);
    }
    const positional = POSITIONALS[command.path];
    if (positional) {
      const words = positional === BACKENDS ? "(mcp-gateway list --quiet 2>/dev/null)" : positional;
      lines.push(`complete -c mcp-gateway -n ${when} -a ${fq(words)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
