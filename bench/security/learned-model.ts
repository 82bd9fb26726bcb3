/**
 * A learned second signal tried next to the poisoning rules (issue #16), kept in bench/ because it
 * did not earn a place in the scanner (see bench/security/learn.ts and docs/BENCHMARKS.md): a
 * logistic regression over hashed features of windows of two sentences, scored per text, a tool
 * scoring as its best window.
 *
 * Features, all of a normalized reading of the text (src/security/poisoning.ts `readings`): word
 * unigrams and bigrams (with the window's start), character 4-grams inside words of five letters
 * or more (`NO_CHARS=1` leaves them out), placeholders for what only an attacker brings (a URL,
 * an e-mail address, a home or dotfile path, a snake_case tool name), the kind of field the text
 * sits in, and the parts of meaning the rules found in the text (src/security/intent.ts
 * `meaningCues`: private data, a sink, an act, hiding, an order, a trope…), alone, in pairs and
 * with the field.
 */
import { meaningCues } from "../../src/security/intent.ts";

/** The kind of field a text sits in, from scanTool's `where`. */
export function fieldKind(where: string): string {
  if (where === "description") return "description";
  if (where.startsWith("instructions")) return "instructions";
  if (/^(prompt|resource|template)\.(description|title|name)$/.test(where)) return "entry";
  if (where === "title" || where.endsWith(".title")) return "title";
  if (where.includes("(property name")) return "name";
  if (/\.description$/.test(where)) return "parameter";
  if (/\.(default|const)$|\.(enum|examples)\[\d+\]$/.test(where)) return "data";
  if (where.startsWith("annotations") || where.startsWith("_meta")) return "data";
  return "other";
}

const CHARS = !process.env.NO_CHARS;
const SENTENCE_END = /(?<=[.!?。！？])\s+|\s*\n+\s*/;
/** At most this many windows a text (64 KiB of text is a few hundred). */
const MAX_WINDOWS = 400;

/** A text as windows of two consecutive sentences (one when it has only one). */
export function windows(text: string): string[] {
  const sentences = text.split(SENTENCE_END).filter((s) => /\p{L}/u.test(s));
  if (sentences.length <= 1) return sentences;
  const out: string[] = [];
  for (let i = 0; i + 1 < sentences.length && out.length < MAX_WINDOWS; i++) {
    out.push(`${sentences[i]} ${sentences[i + 1]}`);
  }
  return out;
}

/** FNV-1a over UTF-16 code units, from `seed`. */
function fnv(text: string, seed = 2166136261): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}
/** Two hashes as one (a bigram), order kept. */
const pair = (a: number, b: number) => (Math.imul(a ^ (b >>> 7), 0x9e3779b1) ^ b) >>> 0;

/** Placeholders first (they are words of their own), then words of letters and digits. */
const TOKEN =
  /https?:\/\/\S+|\b[\w.+-]+@[\w-]+\.[\w.-]+|(?:~|\$home|%userprofile%)[\\/][^\s`'")]*|(?<![\w/])\.[a-z][\w-]*(?:[\\/][^\s`'")]*)?|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[\p{L}\p{M}\p{N}]+/gu;
/** One letter of a script written without spaces: each is a word. */
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}]/u;

/** A token as what it stands for. */
function wordOf(token: string): string {
  const c = token.charCodeAt(0);
  if (c === 104 && /^https?:/.test(token)) return "‹url›";
  if (token.includes("@") && token.includes(".")) return "‹email›";
  if (c === 126 || c === 36 || c === 37) return "‹home›";
  if (c === 46) return "‹dotfile›";
  if (token.includes("_")) return "‹ident›";
  return token;
}

/**
 * The hashed features of one window, each as [bucket, sign]; with `names`, each feature's name
 * too (for explaining a score; slower).
 */
export function featuresOf(
  window: string,
  kind: string,
  cues: readonly string[],
  out: number[],
  names?: string[],
): void {
  const add = (h: number, name?: string) => {
    out.push(h);
    if (names) names.push(name ?? "");
  };
  add(fnv(`k:${kind}`), names && `field ${kind}`);
  for (const [i, cue] of cues.entries()) {
    add(fnv(`c:${cue}`), names && `part ${cue}`);
    add(fnv(`c:${cue}@${kind}`), names && `part ${cue} in ${kind}`);
    for (const other of cues.slice(i + 1)) {
      add(fnv(`c:${cue}+${other}`), names && `parts ${cue}+${other}`);
    }
  }
  let previous = fnv("^");
  let previousWord = "^";
  for (const [raw] of window.toLowerCase().matchAll(TOKEN)) {
    const parts = UNSPACED.test(raw) ? splitUnspaced(raw) : [raw];
    for (const token of parts) {
      const word = wordOf(token);
      const h = fnv(word);
      add(h, names && word);
      add(pair(previous, h), names && `${previousWord} ${word}`);
      if (CHARS && word.length >= 5 && word === token) {
        const padded = ` ${word} `;
        for (let i = 0; i + 4 <= padded.length; i++) {
          add(
            fnv(padded.slice(i, i + 4), 0x811c9dc5 ^ 0x5bd1e995),
            names && `"${padded.slice(i, i + 4)}"`,
          );
        }
      }
      if (word !== token && token.length > 2) {
        // The placeholder's own words still count: `.npmrc`, `send_chat_log`.
        for (const piece of token.split(/[^\p{L}\p{N}]+/u)) {
          if (piece.length >= 3) add(fnv(`p:${piece}`), names && piece);
        }
      }
      previous = h;
      previousWord = word;
    }
  }
}

/** A run with letters of unspaced scripts, as one word per such letter and the rest as words. */
function splitUnspaced(run: string): string[] {
  return (
    run.match(
      /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}]|[^\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}]+/gu,
    ) ?? []
  );
}

/** Buckets: 2^BITS weights. */
export const BITS = 18;
const MASK = (1 << BITS) - 1;

/** The model as the training script leaves it: weights by bucket, a bias and two thresholds. */
export interface Model {
  weights: Float32Array;
  bias: number;
  high: number;
  mid: number;
}

/**
 * Scale of a window's sum: 1/sqrt(features), but no larger than for a window of MIN_FEATURES (a
 * few words would otherwise score as loud as a sentence).
 */
const MIN_FEATURES = Number(process.env.MIN_FEATURES ?? 60);
export const normOf = (count: number) => 1 / Math.sqrt(Math.max(count, MIN_FEATURES));

/** The score (log-odds) of one window's features under `model`. */
export function scoreFeatures(model: Model, features: number[]): number {
  let sum = 0;
  for (const h of features) {
    const w = model.weights[h & MASK] ?? 0;
    sum += h & 0x80000000 ? -w : w;
  }
  return model.bias + sum * normOf(features.length);
}

/** The sign a feature's hash carries (its top bit), as the learner applies it. */
export const signOf = (h: number) => (h & 0x80000000 ? -1 : 1);
export const bucketOf = (h: number) => h & MASK;

/** Weights stored as [bucket delta, int8 weight] varint pairs in base64, with a scale. */
export interface StoredModel {
  bits: number;
  scale: number;
  bias: number;
  high: number;
  mid: number;
  data: string;
}

export function encodeModel(model: Model, scale: number): StoredModel {
  const bytes: number[] = [];
  let last = 0;
  for (let bucket = 0; bucket < model.weights.length; bucket++) {
    const q = Math.max(-127, Math.min(127, Math.round((model.weights[bucket] ?? 0) / scale)));
    if (q === 0) continue;
    let delta = bucket - last;
    last = bucket;
    while (delta >= 0x80) {
      bytes.push((delta & 0x7f) | 0x80);
      delta >>>= 7;
    }
    bytes.push(delta);
    bytes.push(q & 0xff);
  }
  return {
    bits: BITS,
    scale,
    bias: model.bias,
    high: model.high,
    mid: model.mid,
    data: Buffer.from(bytes).toString("base64"),
  };
}

/** The highest-scoring window of a text: its score, the window, and its strongest features. */
export interface LearnedVerdict {
  score: number;
  window: string;
  cues: readonly string[];
}

/** Scores every window of each reading of a text; the best one, or null for an empty text. */
export function scoreText(
  model: Model,
  readingsOfText: string[],
  kind: string,
): LearnedVerdict | null {
  let best: LearnedVerdict | null = null;
  const features: number[] = [];
  for (const reading of readingsOfText) {
    const cues = meaningCues(reading);
    for (const window of windows(reading)) {
      features.length = 0;
      featuresOf(window, kind, cues, features);
      const score = scoreFeatures(model, features);
      if (!best || score > best.score) best = { score, window, cues };
    }
  }
  return best;
}
