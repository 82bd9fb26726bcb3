/**
 * Whether a regular expression from a config or a capability file may run over untrusted text
 * (a backend's result) on the event loop. JavaScript's engine backtracks: a nested quantifier
 * (`(a+)+`) takes exponential time on a crafted string, and an unbounded repeat that may start
 * anywhere in a long run (`\w+@x`, `key=\S+;`) takes quadratic time (20,000 characters: 0.2 s,
 * a 1 MB result: minutes). The rules below keep every accepted pattern linear in its input:
 *
 * - no backreferences, no quantified group holding a quantifier or an alternation;
 * - no unbounded repeat inside a lookaround;
 * - every unbounded repeat (`*`, `+`, `{n,}`) is either the pattern's last element (it cannot fail
 *   after matching, so it is never scanned again) or comes straight after one character that it
 *   cannot match (`Bearer [\w.-]+`, `=[^&\s]+`), after `^`, or after `\b` when it repeats word
 *   characters. Bounded repeats (`{1,256}`, up to 1,024) are allowed anywhere.
 *
 * Character sets are compared over a probe alphabet (ASCII, Latin-1 and a few wide characters).
 */

/** Why `source` is refused, or undefined when it may run over untrusted text. */
export function unsafeRegex(source: string, flags = ""): string | undefined {
  let parsed: Sequence[];
  try {
    parsed = new Parser(source).alternatives();
  } catch (error) {
    return (error as Error).message;
  }
  const check = new Checker(flags);
  try {
    for (const sequence of parsed) check.sequence(sequence, [], true);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

interface Quantifier {
  min: number;
  max: number;
  text: string;
}

type Node =
  | { kind: "char"; source: string; q?: Quantifier }
  | { kind: "assert"; source: string }
  | {
      kind: "group";
      source: string;
      look: boolean;
      alternatives: Sequence[];
      q?: Quantifier;
    };
type Sequence = Node[];

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  alternatives(): Sequence[] {
    const out: Sequence[] = [this.sequence()];
    while (this.text[this.at] === "|") {
      this.at++;
      out.push(this.sequence());
    }
    return out;
  }

  private sequence(): Sequence {
    const out: Sequence = [];
    while (this.at < this.text.length && this.text[this.at] !== "|" && this.text[this.at] !== ")") {
      const node = this.atom();
      if (node.kind !== "assert") {
        const q = this.quantifier();
        if (q) node.q = q;
      } else if (this.quantifier()) {
        throw new Error(`a quantifier after \`${node.source}\` repeats nothing`);
      }
      out.push(node);
    }
    return out;
  }

  private atom(): Node {
    const start = this.at;
    const c = this.text[this.at]!;
    if (c === "^" || c === "$") {
      this.at++;
      return { kind: "assert", source: c };
    }
    if (c === "(") {
      this.at++;
      let look = false;
      if (this.text.startsWith("?:", this.at)) this.at += 2;
      else if (/^\?<?[=!]/.test(this.text.slice(this.at, this.at + 3))) {
        look = true;
        this.at += this.text[this.at + 1] === "<" ? 3 : 2;
      } else if (this.text.startsWith("?<", this.at)) {
        this.at = this.text.indexOf(">", this.at) + 1;
      }
      const alternatives = this.alternatives();
      if (this.text[this.at] !== ")") throw new Error("an unclosed group");
      this.at++;
      return { kind: "group", source: this.text.slice(start, this.at), look, alternatives };
    }
    if (c === "[") {
      this.at++;
      if (this.text[this.at] === "^") this.at++;
      if (this.text[this.at] === "]") this.at++;
      while (this.at < this.text.length && this.text[this.at] !== "]") {
        this.at += this.text[this.at] === "\\" ? 2 : 1;
      }
      this.at++;
      return { kind: "char", source: this.text.slice(start, this.at) };
    }
    if (c === "\\") {
      const next = this.text[this.at + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k") {
        throw new Error(
          "a backreference (`\\1`, `\\k<name>`) can take exponential time; match the text again instead",
        );
      }
      if (next === "b" || next === "B") {
        this.at += 2;
        return { kind: "assert", source: `\\${next}` };
      }
      const escaped =
        /^\\(?:x[0-9A-Fa-f]{2}|u\{[0-9A-Fa-f]+\}|u[0-9A-Fa-f]{4}|c[A-Za-z]|[pP]\{[^}]*\}|[\s\S])/.exec(
          this.text.slice(this.at),
        )!;
      this.at += escaped[0].length;
      return { kind: "char", source: escaped[0] };
    }
    this.at++;
    return { kind: "char", source: c };
  }

  private quantifier(): Quantifier | undefined {
    const match = /^(?:[*+?]|\{(\d+)(,(\d*))?\})\??/.exec(this.text.slice(this.at));
    if (!match) return undefined;
    this.at += match[0].length;
    const head = match[0][0];
    if (head === "*") return { min: 0, max: Infinity, text: match[0] };
    if (head === "+") return { min: 1, max: Infinity, text: match[0] };
    if (head === "?") return { min: 0, max: 1, text: match[0] };
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] ? Number(match[3]) : Infinity;
    return { min, max, text: match[0] };
  }
}

/** A bounded repeat longer than this counts as unbounded (`{1,100000}` is as slow as `+`). */
const LONG_REPEAT = 1024;

/** Code points the sets are compared over. */
const PROBE: string[] = (() => {
  const out: string[] = [];
  for (let code = 0; code < 0x250; code++) out.push(String.fromCharCode(code));
  for (const code of [0x2028, 0x2029, 0x3000, 0xfeff, 0x200b, 0x2014, 0x4e00, 0x1f600]) {
    out.push(String.fromCodePoint(code));
  }
  return out;
})();

const WORD = new Set(PROBE.filter((c) => /\w/.test(c)));

class Checker {
  private readonly flags: string;
  private readonly multiline: boolean;
  private readonly sets = new Map<string, Set<string>>();

  constructor(flags: string) {
    this.flags = flags.replace(/[gym]/g, "");
    this.multiline = flags.includes("m");
  }

  /** The probe characters `node` may consume (a group: any of its characters). */
  private set(node: Node): Set<string> {
    const key = node.source;
    let out = this.sets.get(key);
    if (out) return out;
    out = new Set<string>();
    if (node.kind === "char") {
      const regex = new RegExp(`^(?:${node.source})$`, this.flags);
      for (const c of PROBE) if (regex.test(c)) out.add(c);
    } else if (node.kind === "group") {
      for (const sequence of node.alternatives) {
        for (const child of sequence) for (const c of this.set(child)) out.add(c);
      }
    }
    this.sets.set(key, out);
    return out;
  }

  /**
   * Checks one sequence. `before` is what is matched before it in the pattern, in order (empty
   * at the pattern's start); `last` says nothing follows it in the pattern.
   */
  sequence(sequence: Sequence, before: readonly Node[], last: boolean): void {
    for (const [i, node] of sequence.entries()) {
      const prefix = [...before, ...sequence.slice(0, i)];
      const tail = last && i === sequence.length - 1;
      if (node.kind === "group") this.group(node, prefix, tail);
      if (node.kind !== "assert" && node.q && node.q.max > LONG_REPEAT && !tail) {
        this.anchored(node, prefix);
      }
    }
  }

  private group(node: Extract<Node, { kind: "group" }>, prefix: readonly Node[], tail: boolean) {
    const repeats = !!node.q && node.q.max > 1;
    if (repeats) {
      const inner = quantified(node.alternatives);
      if (inner || node.alternatives.length > 1) {
        throw new Error(
          `\`${node.source}${node.q!.text}\` repeats a group that ${inner ? `repeats \`${inner}\`` : "has alternatives"}: that takes exponential time on a crafted string; repeat one character class instead`,
        );
      }
    }
    if (node.look) {
      const inner = quantified(node.alternatives, true);
      if (inner) {
        throw new Error(
          `\`${node.source}\` repeats \`${inner}\` without bound inside a lookaround; bound it ({1,256})`,
        );
      }
      return;
    }
    // A repeated group was checked as a whole; a plain one is a part of the sequence around it.
    for (const sequence of node.alternatives) {
      this.sequence(sequence, repeats ? [] : prefix, tail && !repeats);
    }
  }

  /**
   * An unbounded repeat must start where nothing before it can shift its start along a run of
   * what it repeats, or it is scanned again from each start (quadratic time). Walking back from
   * it: a character it cannot match, `^`, or `\b` before word characters, fixes its start; a
   * single character it can match moves the start by one and is passed over; anything that
   * repeats what it repeats, or a group that repeats without bound, is refused, and so is the
   * pattern's start (a search tries every position).
   */
  private anchored(node: Node, prefix: readonly Node[]): void {
    const repeated = this.set(node);
    const overlaps = (other: Node) => [...this.set(other)].some((c) => repeated.has(c));
    for (let j = prefix.length - 1; j >= 0; j--) {
      const previous = prefix[j]!;
      if (previous.kind === "assert") {
        if (previous.source === "^" && !this.multiline) return;
        if (previous.source === "\\b" && [...repeated].every((c) => WORD.has(c))) return;
        continue;
      }
      const fixed = !previous.q || (previous.q.min === previous.q.max && previous.q.max <= 16);
      if (previous.kind === "char") {
        if (!overlaps(previous) && (!previous.q || previous.q.min >= 1)) return;
        if (fixed) continue;
        if (!overlaps(previous)) continue;
      } else if (
        (!previous.q || previous.q.max <= 1) &&
        previous.alternatives.every((alternative) => {
          const end = alternative.at(-1);
          return end?.kind === "char" && (!end.q || end.q.min >= 1) && !overlaps(end);
        })
      ) {
        // Each way through it ends on a character the repeat cannot match (`(@[a-z]*/)?`): taken,
        // it fixes the start; skipped (`?`), the walk goes on before it.
        if (!previous.q || previous.q.min >= 1) return;
        continue;
      } else if (!quantified(previous.alternatives, true) && (fixed || !overlaps(previous))) {
        // A group of fixed parts: passed over like a character.
        continue;
      }
      this.refuse(node, previous);
    }
    this.refuse(node, undefined);
  }

  private refuse(node: Node, previous: Node | undefined): never {
    const shown = (n: Node) => `${n.source}${n.kind === "assert" ? "" : (n.q?.text ?? "")}`;
    throw new Error(
      `\`${shown(node)}\` repeats without bound ${previous ? `after \`${shown(previous)}\`, which can match what it repeats` : "from any position"}: on a long text each start is scanned again (quadratic time); put a character it cannot match before it (\`=[^&\\s]+\`), anchor it (\`^\`), or bound it (\`{1,256}\`)`,
    );
  }
}

/** The first quantified element inside (unbounded only, when `unbounded`). */
function quantified(alternatives: Sequence[], unbounded = false): string | undefined {
  for (const sequence of alternatives) {
    for (const node of sequence) {
      if (node.kind === "assert") continue;
      if (node.q && (unbounded ? node.q.max === Infinity : node.q.max > 1)) {
        return `${node.source}${node.q.text}`;
      }
      if (node.kind === "group") {
        const inner = quantified(node.alternatives, unbounded);
        if (inner) return inner;
      }
    }
  }
  return undefined;
}
