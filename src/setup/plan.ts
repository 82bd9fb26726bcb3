import { isDeepStrictEqual } from "node:util";
import type { BackendEntry } from "../config/edit.ts";
import { BACKEND_NAME } from "../config/schema.ts";
import type { FoundServer } from "./discover.ts";
import { extractSecrets, type MovedSecret, VariableNamer } from "./secrets.ts";

/** One backend the import will write (or found already written). */
export interface PlannedBackend {
  name: string;
  entry: BackendEntry;
  /** The client entries it stands for; one server configured in two clients is imported once. */
  sources: FoundServer[];
  /** True when gateway.yaml already holds this very backend: nothing to write. */
  present: boolean;
}

export interface ImportPlan {
  backends: PlannedBackend[];
  /** Credentials moved to `${VARIABLE}` references; the user must set these. */
  secrets: MovedSecret[];
  /** Other variables the imported entries now read (VS Code inputs, workspace folders). */
  needs: { variable: string; why: string; where: string }[];
  notes: string[];
}

export interface PlanOptions {
  /** Backends gateway.yaml already has, as written. */
  existing: Record<string, BackendEntry>;
  /** Names a backend may not take (the capabilities backend's). */
  reserved: string[];
  /**
   * Variables that already hold a value where the gateway runs (its secrets file, the
   * environment): a moved secret reuses a name holding the same value and avoids one holding
   * another, which would win over it.
   */
  bound?: Record<string, string | undefined>;
}

/**
 * Makes a client's server name a valid backend name, keeping it as written where it is one
 * (`GitHub`, `my.server`), as config loading does: `My Server!` → `My-Server`.
 */
export function toBackendName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/_{2,}/g, "_")
    .replace(/^[^A-Za-z0-9]+/, "")
    .replace(/-+$/, "");
  return cleaned && BACKEND_NAME.test(cleaned) ? cleaned : "server";
}

/** Drops defaults and empty fields so two spellings of one backend compare equal. */
function normalise(entry: BackendEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (value === undefined || (key === "enabled" && value === true)) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (value && typeof value === "object" && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return out;
}

const lower = (name: string) => name.toLowerCase();

const same = (a: BackendEntry, b: BackendEntry) => isDeepStrictEqual(normalise(a), normalise(b));
/**
 * Whether `existing` is the server `entry` imports: the same, or the same but for the `cwd` that
 * setup now gives a project's server (one imported before is not imported a second time).
 */
const isPresent = (existing: BackendEntry | undefined, entry: BackendEntry) =>
  existing !== undefined &&
  (same(existing, entry) ||
    (existing.cwd === undefined && same(existing, { ...entry, cwd: undefined })));

/**
 * Decides the backend name and entry for each found server: names sanitised, identical servers
 * merged, clashes suffixed with the client's name, secrets moved to variables, and servers that
 * gateway.yaml already holds recognised. Every decision a user should know of becomes a note.
 */
export function planImport(servers: FoundServer[], options: PlanOptions): ImportPlan {
  const plan: ImportPlan = { backends: [], secrets: [], needs: [], notes: [] };
  const namer = new VariableNamer(options.bound);
  // Names are compared regardless of case: gateway.yaml refuses two that differ only in case, and
  // a server imported before as `github` is the same backend as a client's `GitHub`.
  const taken = new Set([...Object.keys(options.existing), ...options.reserved].map(lower));
  const written = new Map(Object.keys(options.existing).map((name) => [lower(name), name]));
  const existingAs = (name: string) => {
    const as = written.get(lower(name));
    return as === undefined ? undefined : options.existing[as];
  };
  const raw = new Map<PlannedBackend, BackendEntry>();

  for (const server of servers) {
    if (!server.entry) continue;
    plan.notes.push(...server.notes);
    const base = toBackendName(server.name);
    const twin = plan.backends.find(
      (backend) =>
        lower(toBackendName(backend.sources[0]!.name)) === lower(base) &&
        same(raw.get(backend)!, server.entry!),
    );
    if (twin) {
      twin.sources.push(server);
      plan.notes.push(
        `${twin.name}: the same server is configured in ${twin.sources.map((s) => s.origin).join(" and ")}; imported once`,
      );
      continue;
    }

    let name = base;
    let { entry, moved } = extractSecrets(base, server.entry, namer);
    let present = isPresent(existingAs(base), entry);
    if (present) name = written.get(lower(base))!;
    if (!present && taken.has(lower(base))) {
      // Try `github-cursor`, `github-cursor-2`, ...: the first that is free, or that already
      // holds this very server (a second run of setup).
      for (let n = 1; ; n++) {
        name = `${base}-${server.file.client}${n > 1 ? `-${n}` : ""}`;
        ({ entry, moved } = extractSecrets(name, server.entry, namer));
        present = isPresent(existingAs(name), entry);
        if (present) name = written.get(lower(name))!;
        if (present || !taken.has(lower(name))) break;
      }
      const why = options.reserved.some((reserved) => lower(reserved) === lower(base))
        ? "that name is reserved for the gateway's capabilities"
        : written.has(lower(base)) && !plan.backends.some((b) => lower(b.name) === lower(base))
          ? "gateway.yaml already has a different backend of that name"
          : "another server of that name was found";
      if (!present)
        plan.notes.push(`${server.name} from ${server.origin} is imported as ${name}: ${why}`);
    } else if (base !== server.name && !present) {
      plan.notes.push(
        `${server.name} from ${server.origin} is imported as ${name} (a backend name is letters, digits, ".", "-" and "_")`,
      );
    }
    taken.add(lower(name));
    const planned: PlannedBackend = { name, entry, sources: [server], present };
    raw.set(planned, server.entry);
    plan.backends.push(planned);
    if (present) continue;
    plan.secrets.push(...moved);
    for (const need of server.needs) plan.needs.push({ ...need, where: `backends.${name}` });
  }
  const present = plan.backends.filter((backend) => backend.present).map((backend) => backend.name);
  if (present.length > 0) plan.notes.push(`already in gateway.yaml: ${present.join(", ")}`);
  return plan;
}
