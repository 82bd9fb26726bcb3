import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  type WriteStream,
  writeFileSync,
} from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { logger } from "../logger.ts";

/**
 * Keeps a backend's processes from outliving it, or the gateway:
 *
 * - every stdio backend runs in its own process group, with `MCPGW_OWNER=<run>.<spawn>` in its
 *   environment, which its children and grandchildren inherit, `setsid` ones too;
 * - when a backend exits or is stopped, its group is killed and, on Linux, every process that
 *   carries its mark (found in /proc) as well;
 * - a watchdog (`sh`, reading a pipe from the gateway) kills what is left when the gateway dies
 *   without cleaning up (kill -9, the OOM killer); on Linux the backend itself also gets
 *   `PR_SET_PDEATHSIG` through `setpriv` when that is installed;
 * - each run records its groups in `state_dir/runs/`, and a gateway that starts reaps what a dead
 *   run left (a group only when its leader's start time still matches: pids get reused).
 */

/** The environment variable that marks a backend's processes as this run's. */
export const OWNER_VAR = "MCPGW_OWNER";
/** This gateway process's run, unique across restarts. */
export const RUN_ID = randomUUID().slice(0, 13);
const RUN_ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}$/;
const LINUX = process.platform === "linux";

let spawned = 0;
const live = new Map<number, { owner: string; started: string; command: string }>();
let runFile: string | undefined;
let watchdog: WriteStream | undefined;
let watchdogFailed = false;

/** The mark of a backend about to be spawned, for its environment. */
export function nextOwner(): string {
  spawned++;
  return `${RUN_ID}.${spawned}`;
}

let setpriv: string | undefined | null = null;

/**
 * `command args`, run so that the process dies with the gateway where the system allows it
 * (Linux with util-linux's `setpriv`). A command that cannot be found is left alone, so that the
 * spawn fails with ENOENT as it would without the wrapper.
 */
export function withDeathSignal(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): [string, string[]] {
  if (!LINUX) return [command, args];
  if (setpriv === null) setpriv = findProgram("setpriv", process.env.PATH);
  const found = command.includes("/")
    ? existsSync(resolve(cwd ?? ".", command))
    : findProgram(command, env.PATH) !== undefined;
  if (!setpriv || !found) return [command, args];
  return [setpriv, ["--pdeathsig", "KILL", "--", command, ...args]];
}

/** Records a backend's process group (for the watchdog and for the next run). */
export function track(pid: number, owner: string, command: string): void {
  live.set(pid, { owner, started: startTime(pid) ?? "", command });
  feedWatchdog(`+${pid}`);
  saveRun();
}

/**
 * Kills what a backend left when it exited or was stopped: its process group and, on Linux,
 * every process that carries its mark (children that moved to a session of their own).
 */
export function reapBackend(pid: number): void {
  const entry = live.get(pid);
  try {
    process.kill(-pid, "SIGKILL");
  } catch {}
  if (entry) killMarked(`${entry.owner}`, true);
  if (!live.delete(pid)) return;
  feedWatchdog(`-${pid}`);
  saveRun();
}

/** Kills every group still live (the gateway is exiting), synchronously. */
export function reapAll(): void {
  for (const pid of [...live.keys()]) reapBackend(pid);
  killMarked(`${RUN_ID}.`, false);
}

/**
 * Records this run in `dir/runs/` from now on, and reaps what runs that died without cleaning up
 * left behind. Returns how many processes were killed.
 */
export function adoptStateDir(dir: string): number {
  const runs = join(dir, "runs");
  try {
    mkdirSync(runs, { recursive: true, mode: 0o700 });
  } catch (error) {
    logger.debug(`cannot record backend processes in ${runs}: ${String(error)}`);
    return 0;
  }
  let killed = 0;
  let names: string[] = [];
  try {
    names = readdirSync(runs);
  } catch {}
  for (const name of names) {
    if (!name.endsWith(".json") || name === `${RUN_ID}.json`) continue;
    const file = join(runs, name);
    let run: RunRecord;
    try {
      run = JSON.parse(readFileSync(file, "utf8")) as RunRecord;
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    // Another gateway sharing this state folder (one per stdio client, say) is alive: not ours.
    if (run.pid && startTime(run.pid) === run.started) continue;
    if (!RUN_ID_SHAPE.test(String(run.id))) {
      rmSync(file, { force: true });
      continue;
    }
    for (const [pid, group] of Object.entries(run.groups ?? {})) {
      if (!group.started || startTime(Number(pid)) !== group.started) continue;
      try {
        process.kill(-Number(pid), "SIGKILL");
        killed++;
      } catch {}
    }
    killed += killMarked(`${run.id}.`, false);
    rmSync(file, { force: true });
  }
  if (killed) logger.warn(`killed ${killed} backend process(es) left by a gateway that died`);
  runFile = join(runs, `${RUN_ID}.json`);
  saveRun();
  return killed;
}

/** Forgets this run's record (the gateway stopped cleanly). */
export function dropRunRecord(): void {
  if (runFile) rmSync(runFile, { force: true });
  runFile = undefined;
}

interface RunRecord {
  id: string;
  pid: number;
  started: string;
  groups: Record<string, { owner: string; started: string; command: string }>;
}

function saveRun(): void {
  if (!runFile) return;
  const record: RunRecord = {
    id: RUN_ID,
    pid: process.pid,
    started: startTime(process.pid) ?? "",
    groups: Object.fromEntries(live),
  };
  try {
    // Whole or not at all: a gateway starting meanwhile must never read half a record.
    writeFileSync(`${runFile}.tmp`, JSON.stringify(record), { mode: 0o600 });
    renameSync(`${runFile}.tmp`, runFile);
  } catch {}
}

/**
 * When a process started, as the system tells it: with the pid, it names one process for good
 * (a pid alone may have been reused). Undefined when the process is gone.
 */
export function startTime(pid: number): string | undefined {
  if (LINUX) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Field 22, counted after the command name (which may hold spaces and parentheses).
      return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    } catch {
      return undefined;
    }
  }
  const ps = spawnSync("ps", ["-o", "lstart=", "-p", String(pid)], { encoding: "utf8" });
  return ps.status === 0 ? ps.stdout.trim() || undefined : undefined;
}

/**
 * Linux: kills every process whose environment carries `OWNER_VAR=<prefix>...` (exactly
 * `<prefix>` when `exact`). Elsewhere there is no /proc to read, and nothing happens.
 */
function killMarked(prefix: string, exact: boolean): number {
  if (!LINUX) return 0;
  let killed = 0;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  const needle = `\0${OWNER_VAR}=${prefix}`;
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let environ: string;
    try {
      environ = `\0${readFileSync(`/proc/${pid}/environ`, "latin1")}`;
    } catch {
      continue;
    }
    const at = environ.indexOf(needle);
    if (at === -1) continue;
    if (exact && !/^(\0|$)/.test(environ.slice(at + needle.length, at + needle.length + 1))) {
      continue;
    }
    try {
      process.kill(Number(pid), "SIGKILL");
      killed++;
    } catch {}
  }
  return killed;
}

/**
 * The watchdog: a shell that lives as long as the pipe from the gateway. It hears of each group
 * as it starts (`+pid`) and stops (`-pid`); when the pipe closes (the gateway is gone, however
 * it went) it kills the groups left and, on Linux, every process marked with this run.
 */
const WATCHDOG = `
groups=" "
while IFS= read -r line; do
  case "$line" in
    +*) groups="$groups\${line#+} " ;;
    -*) n=\${line#-}; rest=" "; for g in $groups; do [ "$g" = "$n" ] || rest="$rest$g "; done; groups=$rest ;;
  esac
done
for g in $groups; do kill -KILL -- "-$g" 2>/dev/null; done
if [ -r /proc/self/environ ]; then
  for e in /proc/[0-9]*/environ; do
    grep -qz "^${OWNER_VAR}=$1\\." "$e" 2>/dev/null && { p=\${e#/proc/}; kill -KILL "\${p%/environ}" 2>/dev/null; }
  done
fi
`;

function feedWatchdog(line: string): void {
  if (!watchdog && !watchdogFailed) startWatchdog();
  watchdog?.write(`${line}\n`);
}

function startWatchdog(): void {
  try {
    const child = spawn("sh", ["-c", WATCHDOG, "mcp-gateway-watchdog", RUN_ID], {
      stdio: ["pipe", "ignore", "ignore"],
      // Its own group: a Ctrl-C at the terminal must not kill it before it can do its work.
      detached: true,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    });
    child.once("error", () => {
      watchdogFailed = true;
      watchdog = undefined;
    });
    child.stdin.on("error", () => {});
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    watchdog = child.stdin as unknown as WriteStream;
  } catch {
    watchdogFailed = true;
  }
}

function findProgram(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
