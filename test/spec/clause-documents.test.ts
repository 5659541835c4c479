// spec/: the seed text stays verbatim; the clause grammar gives stable ids and explains malformed documents.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/rules/schema-registry.ts";
import { loadSpec, normaliseText, parseClauseDocument, textHash } from "../../src/spec/clause-items.ts";

const spec = loadSpec(projectRoot);
const seeds = resolve(projectRoot, "../shared/seeds");

/** The words of a seed, whitespace folded, with its layout marks (bullet dashes, "1)" labels) left out. */
function seedWords(file: string, dropLines: RegExp): string {
  return normaliseText(
    readFileSync(resolve(seeds, file), "utf8")
      .split("\n")
      .filter((l) => !dropLines.test(l.trim()))
      .join(" "),
  );
}

function documentWords(files: string[], withHeader: boolean): string {
  const docs = files.map((f) => spec.documents.find((d) => d.file === `spec/${f}`)!);
  const header = withHeader ? docs.flatMap((d) => [d.marker ?? "", d.clause!.split(":")[1], d.title]) : [];
  return normaliseText([...header, ...docs.flatMap((d) => d.items.map((i) => i.text))].join(" "));
}

describe("spec/ clause documents", () => {
  it("24.229:5.4.5.1.2 the items, in order, are the seed's words verbatim (bullet dashes and item labels aside)", () => {
    expect(documentWords(["24.229-5.4.5.1.2.clause"], true)).toBe(seedWords("000_2c315baadbcf8543.txt", /^(-|\d\))$/));
  });

  it("23.231:7.3.1 23.231:7.3.2 23.231:7.3.3 23.231:7.3.4 the four documents, in order, are seed 004 verbatim", () => {
    const files = ["23.231-7.3.1.clause", "23.231-7.3.2.clause", "23.231-7.3.3.clause", "23.231-7.3.4.clause"];
    expect(documentWords(files, false)).toBe(seedWords("004_fab59e74725ee2ca.txt", /^$/));
  });

  it("24.229:5.4.5.1.1 a clause added as data: its items with ids, quoted from the public Release 18 text it names", () => {
    const doc = spec.documents.find((d) => d.clause === "24.229:5.4.5.1.1")!;
    expect(doc).toMatchObject({
      kind: "clause",
      file: "spec/24.229-5.4.5.1.1.clause",
      spec: "3GPP TS 24.229",
      role: "S-CSCF",
    });
    expect(doc.title).toBe("Cancellation of a session currently being established");
    expect(doc.source).toMatch(/^3GPP TS 24\.229 Release 18, clause 5\.4\.5\.1\.1, public text at https:\/\/\S+/);
    expect(doc.items.map((i) => [i.id, i.parent, i.normative])).toEqual([
      ["24.229:5.4.5.1.1/intro", "24.229:5.4.5.1.1", true],
      ["24.229:5.4.5.1.1/1", "24.229:5.4.5.1.1", true],
      ["24.229:5.4.5.1.1/2", "24.229:5.4.5.1.1", true],
    ]);
    expect(doc.items[1].text).toBe(
      "cancel the related dialogs by sending the CANCEL request according to the procedures described in RFC 3261 [26]; and",
    );
    // Quoted now, so no longer listed among the clauses referenced but not quoted.
    expect(spec.items.has("24.229:5.4.5.1.1")).toBe(false);
  });

  it("gives every item and bullet a stable id with its parent", () => {
    expect(spec.items.get("24.229:5.4.5.1.2/2.c")).toMatchObject({
      parent: "24.229:5.4.5.1.2/2",
      normative: true,
      text: "a From header, set to the To header value as received in the 200 OK response for the initial INVITE request;",
    });
    expect(spec.items.get("23.231:7.3.1/b.2")).toMatchObject({ parent: "23.231:7.3.1/b" });
    expect([...spec.items.keys()].filter((id) => id.startsWith("24.229:5.4.5.1.2/"))).toHaveLength(42);
    expect(spec.items.get("23.231:7.2.3.2")).toMatchObject({ quoted: false, normative: false });
  });

  it("hashes the whitespace-folded text, so re-wrapping is no change and a word is", () => {
    const item = spec.items.get("24.229:5.4.5.1.2/1.e")!;
    expect(item.hash).toBe(textHash(item.text.replace(/ /g, "\n  ")));
    expect(item.hash).not.toBe(textHash(item.text.replace("one", "two")));
  });

  it("rejects a malformed document with file:line:column and what was expected", () => {
    const bad = "@clause 24.229:5.4.5.1.2\n@title T\n\n@item 1\ntext\n@itme 2\nmore\n";
    expect(() => parseClauseDocument(bad, "spec/bad.clause")).toThrow(
      /^spec\/bad\.clause:6:4: found "m", expected "e"$/,
    );
    const orphan = "@clause 24.229:5.4.5.1.2\n@title T\n\n@item 2.a\ntext\n";
    expect(() => parseClauseDocument(orphan, "spec/orphan.clause")).toThrow(
      "spec/orphan.clause:4:1: item 24.229:5.4.5.1.2/2.a comes before its parent 24.229:5.4.5.1.2/2",
    );
    const unknownKey = "@clause 24.229:5.4.5.1.2\n@titel T\n";
    expect(() => parseClauseDocument(unknownKey, "spec/key.clause")).toThrow(
      /^spec\/key\.clause:2:5: found "e", expected "l"$/,
    );
  });
});
