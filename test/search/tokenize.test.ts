import { describe, expect, test } from "bun:test";
import { splitWords, stem, tokenize, tokenizeForIndex, toTerm } from "../../src/search/tokenize.ts";

describe("splitWords", () => {
  test.each([
    ["list_issues", ["list", "issues"]],
    ["get-file-contents", ["get", "file", "contents"]],
    ["files.read", ["files", "read"]],
    ["getUserRepos", ["get", "user", "repos"]],
    ["parseHTTPResponse", ["parse", "http", "response"]],
    ["API-post-search", ["api", "post", "search"]],
    ["kubectl_get v2", ["kubectl", "get", "v2"]],
  ])("%s", (text, words) => {
    expect(splitWords(text)).toEqual(words);
  });
});

describe("stem joins the forms of one word", () => {
  test.each([
    [["create", "creates", "created", "creating"], "creat"],
    [["issue", "issues"], "issu"],
    [["repository", "repositories"], "repository"],
    [["branch", "branches"], "branch"],
    [["run", "running"], "run"],
    [["stop", "stopped", "stopping"], "stop"],
    [["address", "addresses"], "address"],
  ])("%p → %s", (words, expected) => {
    for (const word of words) expect(stem(word)).toBe(expected);
  });

  test("short words and -ss/-us/-is endings stay", () => {
    expect(stem("gas")).toBe("gas");
    expect(stem("status")).toBe("status");
    expect(stem("analysis")).toBe("analysis");
    expect(stem("class")).toBe("class");
  });
});

describe("toTerm lemmatises irregular forms (WordNet exceptions) before stemming", () => {
  test.each([
    ["ran", "run"],
    ["wrote", "writ"],
    ["children", "child"],
    ["indices", "index"],
  ])("%s → %s", (word, term) => {
    expect(toTerm(word)).toBe(term);
  });
});

describe("tokenize", () => {
  test("drops words that carry no meaning in a request", () => {
    expect(tokenize("Can you please show me the open issues in my repo?")).toEqual([
      "show",
      "open",
      "issu",
      "repo",
    ]);
    expect(tokenize("is my crawl done yet, and what about its status")).toEqual([
      "crawl",
      "do",
      "status",
    ]);
  });

  test("index text and queries meet on the same terms", () => {
    expect(tokenize("create_pull_request")).toEqual(tokenize("Creating pull requests"));
  });
});

describe("tokenizeForIndex", () => {
  test.each([
    ["Create a GitHub issue", "github"],
    ["Run JavaScript in the page", "javascript"],
    ["Query PostgreSQL", toTerm("postgresql")],
    ["Start the OAuth flow", "oauth"],
    ["Droplets on DigitalOcean", "digitalocean"],
  ])("%s is also indexed under %s", (text, term) => {
    const terms = tokenizeForIndex(text);
    expect(terms).toContain(term);
    for (const part of tokenize(text)) expect(terms).toContain(part);
  });

  test("identifiers and plain words gain nothing", () => {
    expect(tokenizeForIndex("getUserRepos lists repos")).toEqual(
      tokenize("getUserRepos lists repos"),
    );
    expect(tokenizeForIndex("URLs and IDs")).toEqual(tokenize("URLs and IDs"));
  });
});
