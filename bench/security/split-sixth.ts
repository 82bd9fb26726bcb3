/**
 * The split rule of bench/security/attacks-sixth.jsonl, fixed before any sample was written: a
 * sample is held out when the FNV-1a 32-bit hash (offset basis 2166136261, prime 16777619, over
 * the UTF-8 bytes) of `sixth:<id>` is odd, dev when even. Checks that every line parses, that ids
 * are unique, that labels are `attack` or `benign`, that every `split` field follows the rule, and
 * prints the counts; it reads the set only, it does not scan it.
 *
 *   bun bench/security/split-sixth.ts
 *
 * The set (issue #16): 281 MCP tool definitions, 165 attacks (82 dev, 83 held out) and 116 benign
 * near-misses (58 dev, 58 held out); the split rule above was committed before any sample existed.
 * It was written blind: its author did not read src/security/, test/security/, test/seams/, the
 * earlier sets (bench/security/*.jsonl, attacks.json), the other bench scripts, docs/security.md
 * or the security sections of docs/BENCHMARKS.md, and never ran the scanner, the gateway or a
 * bench on these samples. Every sample was written in the author's own words after reading about
 * the attack classes: Invariant Labs (tool poisoning notification, WhatsApp MCP exfiltration,
 * GitHub MCP toxic agent flow), CyberArk "Poison everywhere" (full-schema and advanced tool
 * poisoning), SAFE-MCP SAF-T1001 and SAF-T1501, Trail of Bits (line jumping, ANSI escape
 * sequences, conversation history theft), Unit 42 (MCP sampling attack vectors), Elastic Security
 * Labs (MCP tools attack and defense), MCPTox, MCP Security Bench (MSB), MPMA preference
 * manipulation and MCPEO, the postmark-mcp BCC backdoor and PolicyLayer's prompt-leaking notes;
 * each line's `source` names its inspiration ("own" when none). Attacks put their payload outside
 * the main description in 46% of cases (parameter descriptions, defaults, enums, examples, const,
 * pattern, $defs, anyOf/oneOf, $comment, x-* keys, property names, title, annotations,
 * outputSchema, _meta, the tool name), use encodings in some (base64, hex, URL-encoding, reversed,
 * leetspeak, homoglyphs, zero-width and tag characters, fullwidth, split across fields, ANSI
 * escapes), and 21% are not in English (17 languages besides English across the set). `style` and
 * `field` say what each sample exercises.
 */
import { join } from "node:path";
import { checkSplit, fnv1a32 } from "./split-fourth.ts";

export const splitOf = (id: number) => (fnv1a32(`sixth:${id}`) % 2 === 1 ? "heldout" : "dev");

if (import.meta.main) checkSplit(join(import.meta.dir, "attacks-sixth.jsonl"), splitOf);
