import { existsSync, readFileSync } from "node:fs";
import { findCapabilityFiles } from "../capabilities/load.ts";
import type { ResolvedConfig } from "../config/load.ts";
import { errorMessage } from "../errors.ts";
import { type Playbook, parsePlaybook } from "../playbooks/load.ts";
import type { Check } from "./doctor.ts";

/**
 * `playbooks.directories`: folders that do not exist, files that do not load or reuse a name
 * (serve skips each with one log line), steps that call a server the config does not serve, and
 * how many playbooks are served.
 */
export function playbookChecks(config: ResolvedConfig): Check[] {
  const { enabled, directories } = config.playbooks;
  if (!enabled || directories.length === 0) return [];
  const checks: Check[] = [];
  const names = new Map<string, string>();
  for (const dir of directories) {
    if (!existsSync(dir)) {
      checks.push({
        name: "playbooks",
        status: "warn",
        message: `${dir} does not exist: no playbooks are read from it`,
        hint: "create the folder, or remove it from playbooks.directories",
      });
      continue;
    }
    for (const file of findCapabilityFiles(dir)) {
      const skipped = (message: string, hint: string) =>
        checks.push({ name: "playbooks", status: "warn", message: `${message}; skipped`, hint });
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (error) {
        skipped(`${file}: cannot read: ${errorMessage(error)}`, "check the file's permissions");
        continue;
      }
      const result = parsePlaybook(text, file, config.capabilities.name);
      if (!result.ok) {
        skipped(result.error, "fix the file (operations.md#playbooks describes each field)");
        continue;
      }
      const taken = names.get(result.playbook.name);
      if (taken) {
        skipped(
          `${file}: playbook "${result.playbook.name}" is already defined in ${taken}`,
          "give one of them another name",
        );
        continue;
      }
      names.set(result.playbook.name, file);
      checks.push(...unknownServers(config, file, result.playbook));
    }
  }
  checks.unshift({
    name: "playbooks",
    status: "ok",
    message: `${names.size} playbook(s) served from ${directories.join(", ")}`,
  });
  return checks;
}

/**
 * A step whose server is no enabled backend (nor the capabilities backend) fails each run: the
 * playbook loads and is listed all the same, so only doctor can say so before a call does.
 */
function unknownServers(config: ResolvedConfig, file: string, playbook: Playbook): Check[] {
  const served = new Set(config.backends.filter((b) => b.enabled).map((b) => b.name));
  if (config.capabilities.enabled) served.add(config.capabilities.name).add("gateway");
  const disabled = new Set(config.backends.filter((b) => !b.enabled).map((b) => b.name));
  return playbook.steps
    .filter((step) => !served.has(step.server))
    .map((step) => ({
      name: "playbooks",
      status: "warn" as const,
      message: `${file}: step "${step.name}" of ${playbook.name} calls ${step.server}:${step.tool}, but ${
        disabled.has(step.server)
          ? `backend ${step.server} is disabled`
          : `no backend is named ${step.server}`
      }: ${step.optional ? "the step fails at each run (it is optional: the run goes on)" : "every run fails there"}`,
      hint: disabled.has(step.server)
        ? `enable backends.${step.server}, or change the step`
        : `add the backend (mcp-gateway add ${step.server} ...), or name a configured server in the step`,
    }));
}
