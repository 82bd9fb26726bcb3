import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { loadBuiltinCapabilities } from "./catalog.ts";
import { oauthMissing } from "./credentials.ts";
import { findCapabilityFiles, type LoadResult, loadCapabilityFile } from "./load.ts";
import { type Capability, toTool } from "./resolve.ts";

export interface RegistryOptions {
  /** Serve the embedded catalog. */
  builtin: boolean;
  /** Folders (or single files) of capability files, absolute. */
  directories: string[];
}

/** A file that did not load, and what to fix. */
export interface LoadProblem {
  source: string;
  errors: string[];
  /** An earlier version of the file is still served. */
  keptLastGood?: boolean;
  /** A configured folder that does not exist (the watcher warns once and polls for it). */
  missingFolder?: boolean;
}

export interface LoadReport {
  problems: LoadProblem[];
  /** Whether the set of capabilities (or any definition) differs from before. */
  changed: boolean;
}

/**
 * Every capability the gateway serves: the built-in catalog, then the configured folders.
 * A user file with a built-in's name replaces it. A file that stops validating keeps its last
 * good version; a file that disappears takes its capability with it.
 */
export class CapabilityRegistry {
  private readonly lastGood = new Map<string, Capability>();
  private byName = new Map<string, Capability>();
  private fingerprint = "";
  problems: LoadProblem[] = [];

  constructor(private options: RegistryOptions) {}

  /** Serves other folders (or the catalog on or off) from the next load on. */
  reconfigure(options: RegistryOptions): void {
    this.options = options;
  }

  /** (Re)reads every source at once. */
  load(): LoadReport {
    const steps = this.reading();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * (Re)reads every source without holding the event loop for long: it yields to other work
   * every few milliseconds (a hundred files with schemas to compile take a few hundred).
   * What it serves changes once, at the end, as with `load`.
   */
  async loadGradually(sliceMs = 8): Promise<LoadReport> {
    const steps = this.reading();
    let slice = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      if (performance.now() - slice >= sliceMs) {
        await new Promise((resume) => setTimeout(resume, 0));
        slice = performance.now();
      }
    }
  }

  /** The reading itself, one step per user file. */
  private *reading(): Generator<void, LoadReport> {
    const problems: LoadProblem[] = [];
    const byName = new Map<string, Capability>();
    if (this.options.builtin) {
      for (const result of loadBuiltinCapabilities()) {
        if (result.ok) byName.set(result.capability.name, result.capability);
        else problems.push({ source: result.source, errors: result.errors });
      }
    }
    const seen = new Set<string>();
    const userNames = new Map<string, string>();
    const candidates: { file: string; capability: Capability }[] = [];
    for (const dir of this.options.directories) {
      if (!existsSync(dir)) {
        problems.push({
          source: dir,
          errors: ["capabilities directory does not exist"],
          missingFolder: true,
        });
        continue;
      }
      for (const file of findCapabilityFiles(dir)) {
        if (seen.has(file)) continue;
        seen.add(file);
        yield;
        const result: LoadResult = loadCapabilityFile(file);
        let capability: Capability | undefined;
        if (result.ok) {
          capability = result.capability;
          this.lastGood.set(file, capability);
        } else {
          capability = this.lastGood.get(file);
          problems.push({ source: file, errors: result.errors, keptLastGood: !!capability });
        }
        if (capability) candidates.push({ file, capability });
      }
    }
    // Of two files defining one name, the one already serving it keeps it (a copy whose file
    // name sorts first must not take over a tool in use); else the first in order.
    const serving = (c: { file: string; capability: Capability }) =>
      this.byName.get(c.capability.name)?.source === c.file ? 0 : 1;
    candidates.sort((a, b) => serving(a) - serving(b));
    for (const { file, capability } of candidates) {
      const other = userNames.get(capability.name);
      if (other) {
        problems.push({
          source: file,
          errors: [
            `name: "${capability.name}" is already defined by ${other}; this file is skipped`,
          ],
        });
        continue;
      }
      userNames.set(capability.name, file);
      byName.set(capability.name, capability);
    }
    for (const file of [...this.lastGood.keys()]) if (!seen.has(file)) this.lastGood.delete(file);

    const sorted = new Map([...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    // A digest, not the text: the text of the built-in catalog alone is 400 KB, kept for good.
    const fingerprint = createHash("sha256")
      .update(
        JSON.stringify(
          [...sorted.values()].map((c) => [toTool(c), c.providers, c.auth, c.cacheTtl]),
        ),
      )
      .digest("hex");
    const changed = fingerprint !== this.fingerprint;
    this.byName = sorted;
    this.fingerprint = fingerprint;
    this.problems = problems;
    return { problems, changed };
  }

  list(): Capability[] {
    return [...this.byName.values()];
  }

  get(name: string): Capability | undefined {
    return this.byName.get(name);
  }
}

/** The variables a capability needs that `env` lacks; it is hidden from clients until none are. */
export function missingEnv(
  capability: Capability,
  env: Record<string, string | undefined>,
): string[] {
  const missing = capability.requiredEnv.filter((name) => !env[name]);
  const { oauth, required } = capability.auth;
  const token = oauth && required ? oauthMissing(oauth.name, env) : undefined;
  return token ? [...missing, token] : missing;
}
