/** Levenshtein distance, bounded: stops counting past `max`. */
export function editDistance(a: string, b: string, max = 8): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** Up to `limit` names close to `wanted`: small edit distance, or one containing the other. */
export function closeMatches(wanted: string, names: Iterable<string>, limit = 3): string[] {
  const target = wanted.toLowerCase();
  const scored: { name: string; distance: number }[] = [];
  for (const name of names) {
    const lower = name.toLowerCase();
    const distance = editDistance(target, lower);
    const budget = Math.max(2, Math.floor(Math.max(target.length, 1) / 3));
    if (distance <= budget) scored.push({ name, distance });
    else if (target.length >= 3 && (lower.includes(target) || target.includes(lower))) {
      scored.push({ name, distance: budget + 1 });
    }
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((entry) => entry.name);
}
