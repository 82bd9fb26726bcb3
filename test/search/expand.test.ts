import { describe, expect, test } from "bun:test";
import { expandQuery, normalizeQuery, type Vocabulary, WEIGHTS } from "../../src/search/expand.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { splitWords, toTerm } from "../../src/search/tokenize.ts";

/** A vocabulary of the given words' terms. */
function vocabulary(...words: string[]): Vocabulary {
  const terms = [...new Set(words.map(toTerm))].sort();
  const set = new Set(terms);
  return { has: (term) => set.has(term), terms: () => terms };
}

/** The expansion of a one-word query, as term → weight. */
function expansions(word: string, vocab: Vocabulary): Record<string, number> {
  const [group] = expandQuery(word, vocab);
  return Object.fromEntries(group?.terms ?? []);
}

describe("synonyms", () => {
  const vocab = vocabulary("delete", "remove", "create", "add", "search", "find", "dispute");

  test.each([
    ["remove", "delete"],
    ["erase", "delete"],
    ["add", "create"],
    ["new", "create"],
    ["lookup", "search"],
    ["chargeback", "dispute"],
  ])("%s also matches %s, at a discount", (word, other) => {
    const terms = expansions(word, vocab);
    expect(terms[toTerm(other)]).toBeGreaterThan(0);
    expect(terms[toTerm(other)]).toBeLessThan(1);
  });

  test("a word matches itself at full weight", () => {
    expect(expansions("delete", vocab)[toTerm("delete")]).toBe(1);
  });

  test("only terms some tool has are kept", () => {
    expect(Object.keys(expansions("remove", vocabulary("remove")))).toEqual([toTerm("remove")]);
  });
});

describe("lexicon (WordNet)", () => {
  test("derived forms join nouns to their verbs", () => {
    expect(expansions("deletion", vocabulary("delete"))[toTerm("delete")]).toBeGreaterThan(0);
    expect(expansions("creation", vocabulary("create"))[toTerm("create")]).toBeGreaterThan(0);
  });

  test("a regularly inflected word reaches its base's derived forms", () => {
    // The lexicon lists irregular forms only: "storing" and "collaborating" are undone by guess.
    const vocab = vocabulary("storage", "collaboration");
    expect(expansions("storing", vocab)[toTerm("storage")]).toBe(WEIGHTS.derived);
    expect(expansions("collaborating", vocab)[toTerm("collaboration")]).toBe(WEIGHTS.derived);
  });

  test("an adjective reaches the noun for its quality", () => {
    const term = toTerm("vulnerabilities");
    expect(expansions("vulnerable", vocabulary("vulnerabilities"))[term]).toBeGreaterThan(0);
  });

  test("synonyms stand in for a word no tool uses", () => {
    expect(expansions("altitude", vocabulary("height"))[toTerm("height")]).toBeGreaterThan(0);
  });
});

describe("typos", () => {
  const vocab = vocabulary("create", "commit", "screenshot", "repository", "navigate");

  test.each([
    ["craete", "create"], // transposition
    ["comit", "commit"], // deletion
    ["screenshoot", "screenshot"], // insertion
    ["repositroy", "repository"],
    ["navigaet", "navigate"],
  ])("%s is read as %s", (typo, word) => {
    expect(expansions(typo, vocab)[toTerm(word)]).toBeGreaterThan(0);
  });

  test("a known word is not 'corrected'", () => {
    expect(Object.keys(expansions("commit", vocab))).toEqual([toTerm("commit")]);
  });

  test("a word the tools write as two is split", () => {
    const terms = expansions("filesystem", vocabulary("file", "system"));
    expect(Object.keys(terms).sort()).toEqual([toTerm("file"), toTerm("system")].sort());
  });

  test("two query words the tools write as one are joined", () => {
    const groups = expandQuery("list data sources", vocabulary("list", "datasources"));
    expect(groups.map((group) => group.word)).toContain("datasources");
  });

  test("a prefix finds the longer word", () => {
    expect(
      expansions("config", vocabulary("configuration"))[toTerm("configuration")],
    ).toBeGreaterThan(0);
  });
});

describe("pasted values", () => {
  test("URLs, emails and paths become the word for their kind", () => {
    expect(normalizeQuery("open https://example.com/a?b=1 now").trim()).toBe("open  url  now");
    expect(normalizeQuery("mail ada@example.org").trim()).toBe("mail  email");
    expect(normalizeQuery("read /var/log/syslog").trim()).toBe("read path");
    expect(normalizeQuery("find *.log and src/**/*.ts files").trim().split(/\s+/)).toEqual([
      "find",
      "pattern",
      "and",
      "pattern",
      "files",
    ]);
    const words = (query: string) => normalizeQuery(query).trim().split(/\s+/);
    expect(words('add a to-do "update the changelog" to story 5521')).toEqual(
      "add a to-do to story 5521".split(" "),
    );
    expect(words('"list my repos"')).toEqual(['"list', "my", 'repos"']);
    expect(words("mark ENG-88 as blocked by ABC-7")).toEqual(
      "mark issue as blocked by issue".split(" "),
    );
    expect(words("replace http with https in config.ini")).toEqual(
      "replace http with https in config.ini file".split(" "),
    );
    expect(words("how many users signed up")).toEqual("count users signed up".split(" "));
  });

  test("a bare address with a path is a URL; a bare domain is its name", () => {
    const words = (query: string) => normalizeQuery(query).trim().split(/\s+/);
    expect(words("list the pages under docs.stripe.com/api")).toEqual(
      "list the pages under url".split(" "),
    );
    expect(words("set the status to Done in monday.com")).toEqual(
      "set the status to Done in monday".split(" "),
    );
    expect(words("open example.com, then acme.dev.")).toEqual(
      "open example , then acme .".split(" "),
    );
    // File names and email addresses keep their own rules.
    expect(words("run deploy.sh and mail ada@example.org")).toEqual(
      "run deploy.sh file and mail email".split(" "),
    );
  });

  test("a domain's name, not its top-level domain, is searched", () => {
    const tool = (name: string, description: string) => ({
      name,
      description,
      inputSchema: { type: "object" as const },
    });
    const index = new ToolIndex();
    index.upsert("monday", [
      tool("update_doc", "Update a document on monday.com."),
      tool("use_template", "Create a board from a monday.com template."),
      tool("change_item_values", "Change the column values of an item: its status, owner or date."),
      tool("get_board", "Get a board."),
    ]);
    const [hit] = index.search("set the status to Done in monday.com");
    expect(hit?.tool.name).toBe("change_item_values");
  });

  test("owner/repo reads as a repository; word pairs, acronyms and file paths do not", () => {
    const words = (query: string) => normalizeQuery(query).trim().split(/\s+/);
    expect(words("show issue #88 in facebook/react")).toEqual(
      "show issue #88 in repository".split(" "),
    );
    expect(words("star Microsoft/TypeScript.")).toEqual(["star", "repository"]);
    expect(words("grant read/write access")).toEqual("grant read/write access".split(" "));
    expect(words("set up CI/CD and tcp/ip")).toEqual("set up CI/CD and tcp/ip".split(" "));
    expect(words("open src/index.ts")).toEqual("open path file".split(" "));
  });

  test("generated names and hashes are dropped, words with digits are kept", () => {
    const words = (query: string) => normalizeQuery(query).trim().split(/\s+/);
    expect(words("pod api-7f9c keeps crashing")).toEqual("pod keeps crashing".split(" "));
    expect(words("revert commit a1b2c3d4")).toEqual("revert commit".split(" "));
    expect(words("encode as base64 with sha256 on web-01 in 8gb")).toEqual(
      "encode as base64 with sha256 on web-01 in 8gb".split(" "),
    );
    expect(words("add a cafe to the feed")).toEqual("add a cafe to the feed".split(" "));
  });

  test("two words a tool writes as one bring that word's synonyms", () => {
    const groups = expandQuery("add a to-do", vocabulary("todo", "task", "add"));
    expect(groups[0]).toEqual({
      word: "todo",
      terms: new Map([
        ["todo", 1],
        ["task", 0.6],
      ]),
      parts: ["to", "do"],
    });
  });

  test("a contraction's ending is not a word", () => {
    expect(
      splitWords(normalizeQuery("who's in our workspace? I don't want what we've got")),
    ).toEqual("who in our workspace i don want what we got".split(" "));
  });

  test("numbers and versions are dropped", () => {
    const groups = expandQuery("tag v1.2.0 as release 12", vocabulary("tag", "release"));
    expect(groups.map((group) => group.word)).toEqual(["tag", "release"]);
  });
});

describe("what a request says twice or quotes", () => {
  test("a value in single quotes is content, not the request; an apostrophe is not a quote", () => {
    expect(splitWords(normalizeQuery("add 'Fix checkout bug' to the board"))).toEqual(
      "add to the board".split(" "),
    );
    expect(splitWords(normalizeQuery("tick off \u2018call the plumber\u2019 today"))).toEqual(
      "tick off today".split(" "),
    );
    expect(splitWords(normalizeQuery("the users' names and the team's board"))).toEqual(
      "the users names and the team board".split(" "),
    );
  });

  test("two stopwords do not join into a word, unless hyphenated", () => {
    const vocab = vocabulary("doi", "forme", "tomorrow", "todo", "list");
    expect(expandQuery("what do I have tomorrow for me", vocab).map((g) => g.word)).toEqual([
      "tomorrow",
    ]);
    expect(expandQuery("my to-do list", vocab).map((g) => g.word)).toEqual(["todo", "list"]);
  });

  test("two words that are synonyms of each other share their synonyms once", () => {
    const vocab = vocabulary("make", "new", "create", "insert", "doc");
    const groups = expandQuery("make a new doc", vocab);
    expect(groups.map((group) => group.word)).toEqual(["make", "new", "doc"]);
    const [make, fresh] = groups;
    expect(make!.terms.get(toTerm("insert"))).toBe(0.6);
    expect(fresh!.terms.get(toTerm("insert"))).toBeUndefined();
    expect(fresh!.terms.get(toTerm("new"))).toBe(1);
  });
});
