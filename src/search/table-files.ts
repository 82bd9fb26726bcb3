// Bun only: `with { type: "file" }` embeds the two tables in a compiled binary as files, which
// tables.ts reads on first use. Imported lazily by tables.ts, which reads them next to the source
// where this attribute is unknown (Deno).
import hints from "./hints.json" with { type: "file" };
import lexicon from "./lexicon.json" with { type: "file" };

export default {
  hints: hints as unknown as string,
  lexicon: lexicon as unknown as string,
};
