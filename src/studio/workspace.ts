// What the studio reads and writes in a project: the clause view (spec/, rules/, test results, the last demo's
// ladders), a rule file's edit linted and previewed in memory, a saved rule file, an approval. Every path is one
// of the project's own: a rule file is named as rules/<name>.rules.json and must already exist.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { approve, readApprovals, writeApprovals } from "../audit/approvals.ts";
import { laddersFile } from "../audit/audit-run.ts";
import type { ScenarioLadder } from "../audit/report-html.ts";
import { cites, readTestResults } from "../audit/test-results.ts";
import { buildMatrix, type ItemRow, type Matrix, type TestLink } from "../audit/traceability.ts";
import { readDemoWire, type WireField } from "../demo/demo-wire.ts";
import { loadRuleSets, type RuleSets, type RuleSource, readRuleSources } from "../rules/load-rules.ts";
import { RuleError, type RuleProblem } from "../rules/rule-problems.ts";
import { schema } from "../rules/schema-registry.ts";
import { loadSpec, type Spec, SpecError } from "../spec/clause-items.ts";
import { type PlannedField, plannedFields } from "./planned-fields.ts";
import { causesOf, planners, preview, previewScenarios, type ScenarioPreview } from "./preview.ts";
import { type RuleElement, ruleElements } from "./rule-elements.ts";

export class StudioError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface DeviationView {
  file: string;
  seedText: string;
  chosenReading: string;
  reason: string;
  policy: string;
  /** The policy value in force (the schema's default: what a node runs unless its config says otherwise). */
  inForce: string;
  readingInForce: string;
}

export interface ItemView {
  id: string;
  text: string;
  normative: boolean;
  status: string;
  rules: RuleElement[];
  tests: TestLink[];
  suspect?: { approvedText: string | null; currentText: string };
  deviations: DeviationView[];
  extensions: Array<{ id: string; title: string }>;
  /** The fields the scripted scenarios put on the wire for this item, with the rules on disk. */
  wire: Array<PlannedField & { scenario: string }>;
  /** The lines of the last demo's ladders that name this item (audit/demo-ladders.json). */
  lastRun: Array<{ scenario: string; line: string }>;
  /** The fields the last live demo's nodes sent for this item (audit/demo-wire.json). */
  lastRunFields: WireField[];
}

export interface Overview {
  testsKnown: boolean;
  summary: Matrix["summary"];
  clauses: Array<{ clause: string; title: string; spec: string; source: string; file: string; items: ItemView[] }>;
  extensions: Array<{
    id: string;
    title: string;
    text: string;
    follows: string[];
    rules: RuleElement[];
    tests: TestLink[];
  }>;
  files: Array<{ file: string; facts: string; title: string }>;
}

export type LintResult = { ok: true; summary: string } | { ok: false; problems: RuleProblem[] };

const ruleFileName = /^rules\/[A-Za-z0-9][A-Za-z0-9._-]*\.rules\.json$/;

const policyDefaults = (schema("facts").$defs as { Policy: { properties: Record<string, { default?: unknown }> } })
  .Policy.properties;

export class Workspace {
  constructor(
    readonly root: string,
    readonly resultsFile = join(root, "test-results/vitest.json"),
  ) {}

  private spec(): Spec {
    try {
      return loadSpec(this.root);
    } catch (err) {
      if (err instanceof SpecError) throw new StudioError(409, err.message);
      throw err;
    }
  }

  sources(): RuleSource[] {
    return readRuleSources(this.root);
  }

  /** The rule file of that name, as the project has it; anything else is refused. */
  source(file: string): RuleSource {
    if (!ruleFileName.test(file))
      throw new StudioError(400, `expected a rule file name rules/<name>.rules.json, found "${file}"`);
    const found = this.sources().find((s) => s.file === file);
    if (!found) throw new StudioError(404, `no rule file ${file} in this project`);
    return found;
  }

  private load(sources: RuleSource[], spec: Spec): RuleSets {
    try {
      return loadRuleSets(sources, spec);
    } catch (err) {
      if (err instanceof RuleError) throw new StudioError(409, `the rule files on disk do not lint:\n${err.message}`);
      throw err;
    }
  }

  overview(): Overview {
    const spec = this.spec();
    const sources = this.sources();
    const sets = this.load(sources, spec);
    const tests = readTestResults(this.resultsFile);
    const matrix = buildMatrix(spec, sets, tests, readApprovals(this.root));
    const elements = ruleElements(sources);
    const wire = this.wireFields(sets);
    const lastRun = this.lastRunLines();
    const lastRunFields = readDemoWire(this.root);
    const item = (row: ItemRow): ItemView => ({
      id: row.id,
      text: row.text,
      normative: row.normative,
      status: row.status,
      rules: elements.get(row.id) ?? [],
      tests: row.tests,
      ...(row.suspect ? { suspect: { approvedText: row.suspect.approvedText, currentText: row.text } } : {}),
      deviations: matrix.deviations
        .filter((d) => d.item === row.id)
        .map((d) => {
          const inForce = String(policyDefaults[d.switch.policy]?.default ?? d.switch.chosen);
          return {
            file: d.file,
            seedText: d.seedText,
            chosenReading: d.chosenReading,
            reason: d.reason,
            policy: d.switch.policy,
            inForce,
            readingInForce: inForce === d.switch.literal ? `the seed's literal words: ${d.seedText}` : d.chosenReading,
          };
        }),
      extensions: matrix.extensions
        .filter((x) => x.follows.includes(row.id))
        .map((x) => ({ id: x.id, title: x.title })),
      wire: wire.filter((f) => f.trace.includes(row.id)),
      lastRun: lastRun.filter((l) => cites(l.line, row.id)),
      lastRunFields: lastRunFields.filter((f) => f.trace.includes(row.id)),
    });
    return {
      testsKnown: matrix.testsKnown,
      summary: matrix.summary,
      clauses: spec.documents
        .filter((d) => d.kind === "clause")
        .map((d) => ({
          clause: d.clause ?? "",
          title: d.title,
          spec: d.spec ?? "",
          source: d.source ?? "",
          file: d.file,
          items: matrix.items.filter((r) => r.clause === d.clause).map(item),
        })),
      extensions: matrix.extensions.map((x) => ({
        id: x.id,
        title: x.title,
        text: x.text,
        follows: x.follows,
        rules: elements.get(x.id) ?? [],
        tests: x.tests,
      })),
      files: this.files(sources),
    };
  }

  /** The rule files, listed even when they do not lint (so the studio can open a broken one to mend it). */
  files(sources = this.sources()): Overview["files"] {
    return sources.map(({ file, text }) => {
      let doc: { facts?: string; title?: string } = {};
      try {
        doc = JSON.parse(text);
      } catch {}
      return { file, facts: doc.facts ?? "", title: doc.title ?? "" };
    });
  }

  private wireFields(sets: RuleSets): Array<PlannedField & { scenario: string }> {
    const plan = planners(sets);
    return previewScenarios(causesOf(sets)).flatMap(({ title, kind, facts }) =>
      plannedFields(plan[kind](facts)).map((f) => ({ ...f, scenario: title })),
    );
  }

  private lastRunLines(): Array<{ scenario: string; line: string }> {
    const file = join(this.root, "audit", laddersFile);
    if (!existsSync(file)) return [];
    const ladders = JSON.parse(readFileSync(file, "utf8")) as ScenarioLadder[];
    return ladders.flatMap((l) => l.text.split("\n").map((line) => ({ scenario: l.title, line })));
  }

  /** The edited file linted together with the others, as `rules lint` would; nothing is written. */
  lint(file: string, text: string): { result: LintResult; sets?: RuleSets } {
    this.source(file);
    const spec = this.spec();
    const sources = this.sources().map((s) => (s.file === file ? { file, text } : s));
    try {
      const sets = loadRuleSets(sources, spec);
      const counts = Object.values(sets).map((s) => `${s.kind}: ${s.files.length} files, ${s.rules.length} rules`);
      return { result: { ok: true, summary: `rules are valid (${counts.join("; ")})` }, sets };
    } catch (err) {
      if (err instanceof RuleError) return { result: { ok: false, problems: err.problems } };
      throw err;
    }
  }

  /** Lint, then the scripted scenarios with the rules on disk and with the edit. */
  preview(file: string, text: string): { lint: LintResult; scenarios: ScenarioPreview[] } {
    const { result, sets } = this.lint(file, text);
    if (!sets) return { lint: result, scenarios: [] };
    // Saved rules that do not lint (a hand edit) have no plans to compare with: the edit is shown alone.
    let current = sets;
    try {
      current = loadRuleSets(this.sources(), this.spec());
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
    }
    return { lint: result, scenarios: preview(current, sets) };
  }

  /** Writes the file when the whole set lints clean (in one step, so a watching node never reads half of it). */
  save(file: string, text: string): LintResult {
    const { result } = this.lint(file, text);
    if (!result.ok) return result;
    const path = join(this.root, file);
    const temp = `${path}.studio-saving`;
    writeFileSync(temp, text);
    renameSync(temp, path);
    return result;
  }

  /** Records the current text of the items as reviewed (rules/trace-approvals.json). */
  approve(ids: string[]): { approved: string[] } {
    const spec = this.spec();
    const { approvals, unknown } = approve(readApprovals(this.root), spec.items, ids);
    if (unknown.length > 0)
      throw new StudioError(400, `unknown clause item ids (nothing written): ${unknown.join(", ")}`);
    writeApprovals(this.root, approvals);
    return { approved: ids };
  }
}
