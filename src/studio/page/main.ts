// The studio page: three views over one project — Clauses, Edit rules, Suspect review.
import { api, type Overview } from "./api.ts";
import { clauseView } from "./clause-view.ts";
import { h, on } from "./dom.ts";
import { RuleEditor } from "./rule-editor.ts";
import { suspectReview } from "./suspect-review.ts";

type Tab = "clauses" | "edit" | "suspects";
const main = document.getElementById("main")!;
const tabs = document.getElementById("tabs")!;
let overview: Overview;
let tab: Tab = "clauses";
const views: Record<Tab, HTMLElement> = { clauses: h("div"), edit: h("div"), suspects: h("div") };
const actions = { openRule: (file: string, line: number) => openRule(file, line) };
let editor: RuleEditor;

function show(next: Tab): void {
  tab = next;
  for (const [name, el] of Object.entries(views)) el.hidden = name !== tab;
  for (const b of tabs.querySelectorAll("button")) b.setAttribute("aria-selected", String(b.dataset.tab === tab));
}

function renderTabs(): void {
  const suspects = overview.clauses.flatMap((c) => c.items).filter((i) => i.suspect).length;
  const labels: Record<Tab, string> = {
    clauses: "Clauses",
    edit: "Edit rules",
    suspects: `Suspect review (${suspects})`,
  };
  tabs.replaceChildren(
    ...(Object.keys(labels) as Tab[]).map((t) =>
      on(h("button", { type: "button", "data-tab": t, "aria-selected": String(t === tab) }, labels[t]), "click", () =>
        show(t),
      ),
    ),
  );
}

async function refresh(): Promise<void> {
  try {
    overview = await api.overview();
  } catch (err) {
    // Rules on disk that do not lint: say so, and still offer the files to mend them in the editor.
    views.clauses.replaceChildren(
      h("p", {}, "The project cannot be shown until this is mended (Edit rules opens the files):"),
      h("pre", { class: "status-bad", "data-overview": "error" }, (err as Error).message),
    );
    editor.listFiles(await api.files());
    return;
  }
  renderTabs();
  views.clauses.replaceChildren(clauseView(overview, actions));
  views.suspects.replaceChildren(suspectReview(overview, actions, refresh));
  editor.listFiles(overview.files);
  show(tab);
}

async function openRule(file: string, line: number): Promise<void> {
  show("edit");
  await editor.open(file, line);
}

async function start(): Promise<void> {
  const schema = await api.schema("rule-file.schema.json");
  editor = new RuleEditor(schema, refresh);
  views.edit.append(editor.el);
  main.replaceChildren(views.clauses, views.edit, views.suspects);
  await refresh();
  const first = (overview?.files ?? (await api.files()))[0];
  if (first) await editor.open(first.file);
  addEventListener("beforeunload", (e) => {
    if (editor.dirty) e.preventDefault();
  });
  document.body.dataset.ready = "true";
}

start();
