// The edit view: a rule file's tables as forms, the whole file in an editor with schema completion and
// validation, a preview of what the edit changes on the wire, and Save, which writes only a file that lints clean.
import { type Diagnostic, forceLinting, linter, lintGutter } from "@codemirror/lint";
import { StateEffect } from "@codemirror/state";
import { basicSetup, EditorView } from "codemirror";
import { jsonSchema } from "codemirror-json-schema";
import { api, type Overview, type RuleProblem, type ScenarioPreview } from "./api.ts";
import { h, on } from "./dom.ts";
import { tableForms } from "./table-forms.ts";

/** Tells the linter the server's problems changed (the document did not). */
const problemsChanged = StateEffect.define<null>();

export class RuleEditor {
  readonly el: HTMLElement;
  private readonly view: EditorView;
  private readonly fileList = h("div", { class: "files" });
  private readonly forms = h("div", { id: "forms" });
  private readonly status = h("span", { id: "save-status", "data-state": "idle" });
  private readonly problemList = h("ul", { id: "problems", class: "error" });
  private readonly previewEl = h("div", { id: "preview" });
  private file = "";
  private saved = "";
  private problems: RuleProblem[] = [];
  private previewSeq = 0;
  private previewTimer?: ReturnType<typeof setTimeout>;
  private formTimer?: ReturnType<typeof setTimeout>;
  private settingText = false;

  constructor(
    schema: object,
    private readonly onSaved: () => void,
  ) {
    const serverLint = linter((view) => this.diagnostics(view), {
      delay: 0,
      needsRefresh: (u) => u.transactions.some((t) => t.effects.some((e) => e.is(problemsChanged))),
    });
    this.view = new EditorView({
      extensions: [
        basicSetup,
        EditorView.lineWrapping,
        jsonSchema(schema as Parameters<typeof jsonSchema>[0]),
        serverLint,
        lintGutter(),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged || this.settingText) return;
          this.problems = [];
          this.changed();
          clearTimeout(this.formTimer);
          this.formTimer = setTimeout(() => this.renderForms(), 400);
        }),
      ],
    });
    const save = on(h("button", { type: "button", class: "primary", id: "save" }, "Save"), "click", () => this.save());
    const revert = on(h("button", { type: "button", id: "revert" }, "Revert"), "click", () => this.setText(this.saved));
    this.el = h(
      "div",
      { class: "edit" },
      h("div", {}, h("h3", {}, "Rule files"), this.fileList),
      h(
        "div",
        {},
        h("h3", { id: "file-title" }),
        this.forms,
        h("h4", {}, "The whole file (Ctrl-Space completes from the rule-file schema)"),
        this.view.dom,
        this.problemList,
        h("div", { class: "actions" }, save, revert, this.status),
        h("h3", {}, "Preview: the scripted scenarios of both clauses with this edit"),
        this.previewEl,
      ),
    );
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  listFiles(files: Overview["files"]): void {
    this.fileList.replaceChildren(
      ...files.map((f) =>
        on(
          h(
            "button",
            { type: "button", "data-file": f.file, "aria-current": String(f.file === this.file), title: f.title },
            f.file.replace(/^rules\//, ""),
          ),
          "click",
          () => this.open(f.file),
        ),
      ),
    );
  }

  get dirty(): boolean {
    return this.file !== "" && this.text !== this.saved;
  }

  async open(file: string, line?: number): Promise<void> {
    if (file !== this.file) {
      if (this.dirty && !confirm(`${this.file} has unsaved changes. Leave them?`)) return;
      const { text } = await api.ruleFile(file);
      this.file = file;
      this.saved = text;
      this.problems = [];
      document.getElementById("file-title")!.textContent = file;
      for (const b of this.fileList.querySelectorAll("button"))
        b.setAttribute("aria-current", String(b.dataset.file === file));
      this.setText(text);
    }
    if (line) {
      const pos = this.view.state.doc.line(Math.min(line, this.view.state.doc.lines)).from;
      this.view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "start" }) });
      this.view.focus();
    }
  }

  private setText(text: string): void {
    this.settingText = true;
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
    this.settingText = false;
    this.problems = [];
    this.renderForms();
    this.changed();
  }

  private changed(): void {
    const dirty = this.text !== this.saved;
    this.setStatus(dirty ? "unsaved" : "idle", dirty ? "Unsaved changes" : "");
    this.showProblems();
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => this.runPreview(), 300);
  }

  private setStatus(state: string, text: string): void {
    this.status.dataset.state = state;
    this.status.className = state === "problems" ? "status-bad" : state === "saved" ? "status-ok" : "";
    this.status.textContent = text;
  }

  private renderForms(): void {
    const focused = document.activeElement?.getAttribute("aria-label");
    this.forms.replaceChildren(tableForms(this.text, (next) => this.setText(next)));
    if (focused) (this.forms.querySelector(`[aria-label="${CSS.escape(focused)}"]`) as HTMLElement | null)?.focus();
    this.showProblems();
  }

  private diagnostics(view: EditorView): Diagnostic[] {
    const doc = view.state.doc;
    return this.problems
      .filter((p) => p.file === this.file && p.line <= doc.lines)
      .map((p) => {
        const line = doc.line(p.line);
        const from = Math.min(line.from + p.column - 1, line.to);
        return { from, to: line.to, severity: "error", message: `${p.pointer || "/"}: ${p.message}` };
      });
  }

  /** Each problem at its line in the editor, beside its field in the forms, and in the list under the editor. */
  private showProblems(): void {
    for (const el of this.forms.querySelectorAll("[aria-invalid=true]")) el.removeAttribute("aria-invalid");
    for (const el of this.forms.querySelectorAll(".error")) el.remove();
    this.problemList.replaceChildren(
      ...this.problems.map((p) =>
        h(
          "li",
          { "data-line": String(p.line), "data-pointer": p.pointer },
          // A problem of this file is a link to its line; one of another file is named (the edit stays open).
          p.file === this.file
            ? on(h("button", { type: "button", class: "link" }, `${p.file}:${p.line}:${p.column}`), "click", () =>
                this.open(p.file, p.line),
              )
            : `${p.file}:${p.line}:${p.column}`,
          ` (${p.pointer || "/"}): ${p.message}`,
        ),
      ),
    );
    for (const p of this.problems.filter((x) => x.file === this.file)) {
      const inputs = [...this.forms.querySelectorAll<HTMLInputElement>("input[data-pointer]")];
      const input = inputs.find(
        (i) => p.pointer === i.dataset.pointer || p.pointer.startsWith(`${i.dataset.pointer}/`),
      );
      if (!input) continue;
      input.setAttribute("aria-invalid", "true");
      input.after(h("div", { class: "error", role: "alert" }, `line ${p.line}: ${p.message}`));
    }
    this.view.dispatch({ effects: problemsChanged.of(null) });
    forceLinting(this.view);
  }

  private async runPreview(): Promise<void> {
    if (!this.file) return;
    const seq = ++this.previewSeq;
    const text = this.text;
    const { lint, scenarios } = await api.preview(this.file, text);
    if (seq !== this.previewSeq) return;
    if (!lint.ok) {
      this.problems = lint.problems;
      this.showProblems();
      this.previewEl.replaceChildren(
        h(
          "p",
          { class: "status-bad", "data-preview": "blocked" },
          `This edit has ${lint.problems.length} problem(s) (listed under the editor); the preview shows once it lints clean.`,
        ),
      );
      return;
    }
    this.problems = [];
    this.showProblems();
    this.renderPreview(scenarios, text === this.saved);
  }

  private renderPreview(scenarios: ScenarioPreview[], unchanged: boolean): void {
    const changed = scenarios.filter((s) => s.changes.length > 0 || s.error);
    const out: HTMLElement[] = [
      h(
        "p",
        { "data-preview": "summary" },
        unchanged
          ? `No edit yet: ${scenarios.length} scenarios as the saved rules plan them.`
          : `${changed.length} of ${scenarios.length} scenarios change.`,
      ),
    ];
    for (const s of changed)
      out.push(
        h(
          "section",
          { class: "scenario", "data-scenario": s.title },
          h("h4", {}, s.title),
          s.error ? h("p", { class: "status-bad" }, `The edited rules fail on this scenario: ${s.error}`) : null,
          h(
            "table",
            { class: "grid changes" },
            h("tr", {}, ...["message", "field", "before", "after", "clause ids"].map((c) => h("th", {}, c))),
            ...s.changes.map((c) =>
              h(
                "tr",
                { "data-field": c.field },
                h("td", {}, c.message),
                h("td", {}, c.field),
                h("td", {}, h("del", {}, c.before ?? "(absent)")),
                h("td", {}, h("ins", {}, c.after ?? "(absent)")),
                h("td", {}, c.trace.join(", ")),
              ),
            ),
          ),
          h("pre", { class: "ladder" }, s.ladder),
        ),
      );
    const same = scenarios.filter((s) => !changed.includes(s));
    if (same.length)
      out.push(
        h(
          "details",
          {},
          h("summary", {}, `${same.length} scenario(s) unchanged`),
          ...same.map((s) =>
            h("section", { class: "scenario" }, h("h4", {}, s.title), h("pre", { class: "ladder" }, s.ladder)),
          ),
        ),
      );
    this.previewEl.replaceChildren(...out);
  }

  private async save(): Promise<void> {
    const text = this.text;
    this.setStatus("saving", "Saving…");
    const result = await api.save(this.file, text);
    if (!result.ok) {
      this.problems = result.problems;
      this.showProblems();
      this.setStatus("problems", `Not saved: ${result.problems.length} problem(s). Nothing was written.`);
      // The editor draws only the lines in view: bring the first problem of this file there.
      const first = result.problems.find((p) => p.file === this.file);
      if (first) {
        const pos = this.view.state.doc.line(Math.min(first.line, this.view.state.doc.lines)).from;
        this.view.dispatch({ effects: EditorView.scrollIntoView(pos, { y: "center" }) });
      }
      return;
    }
    this.saved = text;
    this.problems = [];
    this.showProblems();
    this.setStatus("saved", `Saved ${this.file}: ${result.summary}. A running node picks it up.`);
    this.onSaved();
  }
}
