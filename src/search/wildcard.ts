/**
 * Whether `text` matches `glob` as a whole (`*` any run, `?` one character unless `single` is
 * false), case-insensitive unless `caseless` is false.
 * Matched by hand in at most length(glob) × length(text) steps: as a regular expression,
 * `?*?*?*…!` (twelve pairs) took 7.6 s on one 36-character tool name, and a search runs it over
 * every tool. Globs here come from callers (a search query) or meet names callers choose (a
 * client's name).
 */
export function wildcardMatch(
  glob: string,
  text: string,
  { caseless = true, single = true }: { caseless?: boolean; single?: boolean } = {},
): boolean {
  const pattern = caseless ? glob.toLowerCase() : glob;
  const name = caseless ? text.toLowerCase() : text;
  let g = 0;
  let t = 0;
  // The last `*` seen, and where in the text it is matched up to: a mismatch lets it take one
  // more character and tries again from there.
  let star = -1;
  let mark = 0;
  while (t < name.length) {
    if (g < pattern.length && ((single && pattern[g] === "?") || pattern[g] === name[t])) {
      g++;
      t++;
    } else if (g < pattern.length && pattern[g] === "*") {
      star = g++;
      mark = t;
    } else if (star >= 0) {
      g = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (pattern[g] === "*") g++;
  return g === pattern.length;
}
