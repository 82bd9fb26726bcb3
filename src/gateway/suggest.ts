import { editDistance } from "../search/distance.ts";

/**
 * Up to `limit` names close to `wanted`: a small edit distance (the search's own, where a swap of
 * two letters is one edit), or one name containing the other.
 */
export function closeMatches(wanted: string, names: Iterable<string>, limit = 3): string[] {
  const target = wanted.toLowerCase();
  const budget = Math.max(2, Math.floor(Math.max(target.length, 1) / 3));
  const scored: { name: string; distance: number }[] = [];
  for (const name of names) {
    const lower = name.toLowerCase();
    const distance = editDistance(target, lower, budget);
    if (distance <= budget) scored.push({ name, distance });
    else if (target.length >= 3 && (lower.includes(target) || target.includes(lower))) {
      scored.push({ name, distance: budget + 1 });
    }
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((entry) => entry.name);
}
