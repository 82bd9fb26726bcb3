import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Real prose beyond tool lists: every description and summary in GitHub's REST description (the
 * texts `cap import` scans), once each. The poisoning benchmark counts false positives on them;
 * the learned signal's trial trained on part of them.
 */
export function githubTexts(root: string): Set<string> {
  const spec = JSON.parse(
    readFileSync(join(root, "node_modules/@octokit/openapi/generated/api.github.com.json"), "utf8"),
  ) as unknown;
  const texts = new Set<string>();
  const collect = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === "description" || key === "summary") && typeof value === "string") {
        texts.add(value);
      } else collect(value);
    }
  };
  collect(spec);
  return texts;
}
