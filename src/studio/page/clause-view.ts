// The clause view: each clause's text item by item with its status; an item opens its rule elements, tests,
// deviations, extensions and the wire fields it produces.
import type { Overview } from "./api.ts";
import { type Child, h, on } from "./dom.ts";

type Item = Overview["clauses"][number]["items"][number];
type RuleElement = Item["rules"][number];
type TestLink = Item["tests"][number];

export interface ClauseViewActions {
  openRule(file: string, line: number): void;
}

export function ruleElementList(rules: RuleElement[], actions: ClauseViewActions): HTMLElement {
  if (rules.length === 0) return h("p", {}, "No rule element traces this item.");
  return h(
    "ul",
    { class: "rule-elements" },
    ...rules.map((r) =>
      h(
        "li",
        { "data-file": r.file, "data-pointer": r.pointer },
        on(h("button", { class: "link", type: "button" }, `${r.file}#${r.pointer}`), "click", () =>
          actions.openRule(r.file, r.line),
        ),
        ` — ${r.what}${r.rule && r.what !== "rule" ? ` of rule ${r.rule}` : r.rule ? ` ${r.rule}` : ""} (line ${r.line})`,
      ),
    ),
  );
}

export function testList(tests: TestLink[], testsKnown: boolean): HTMLElement {
  if (!testsKnown)
    return h("p", { class: "notice" }, "Tests not run yet: `npm test` runs them and records their results.");
  if (tests.length === 0) return h("p", {}, "No test names this item.");
  return h(
    "ul",
    { class: "tests" },
    ...tests.map((t) => h("li", { class: t.status, "data-test-status": t.status }, `${t.status}: ${t.name}`)),
  );
}

/**
 * The status the page shows: suspect wins (its links need review whatever else holds), and an item with no
 * test result is "tests not run" (neutral), not a red "no-test", when no results were recorded at all.
 */
function shownStatus(item: Item, testsKnown: boolean): string {
  if (item.suspect) return "suspect";
  if (!testsKnown && (item.status === "no-test" || item.status === "covered")) return "tests-not-run";
  return item.status;
}

function badges(item: Item, testsKnown: boolean): Child[] {
  const passed = item.tests.filter((t) => t.status === "passed").length;
  const failed = item.tests.some((t) => t.status === "failed");
  const status = shownStatus(item, testsKnown);
  const out: Child[] = [h("span", { class: "badge", "data-badge": "status" }, status.replace(/-/g, " "))];
  if (!item.normative) return out;
  out.push(h("span", { class: `badge ${item.rules.length ? "ok" : "bad"}` }, item.rules.length ? "rule" : "no rule"));
  if (testsKnown)
    out.push(
      h(
        "span",
        { class: `badge ${failed ? "bad" : passed ? "ok" : "bad"}` },
        failed ? "failing test" : passed ? `${passed} passing test${passed > 1 ? "s" : ""}` : "no test",
      ),
    );
  if (item.suspect) out.push(h("span", { class: "badge warn", "data-badge": "suspect" }, "suspect"));
  if (item.deviations.length) out.push(h("span", { class: "badge info" }, "deviation"));
  if (item.extensions.length) out.push(h("span", { class: "badge info" }, "extension"));
  return out;
}

function itemDetail(item: Item, overview: Overview, actions: ClauseViewActions): HTMLElement {
  const body = h("div", { class: "detail" });
  if (item.suspect)
    body.append(
      h(
        "p",
        { class: "notice" },
        "Suspect: the text changed since its rules and tests were reviewed. See Suspect review to compare and approve.",
      ),
    );
  for (const d of item.deviations)
    body.append(
      h(
        "div",
        { class: "notice", "data-deviation": d.policy },
        h("b", {}, "Deviation "),
        `(${d.file}). The seed says: “${d.seedText}”. Reading in force: ${d.readingInForce} `,
        `(policy ${d.policy} = ${d.inForce}, the default; a node's config may set it otherwise). Why: ${d.reason}`,
      ),
    );
  if (item.extensions.length)
    body.append(
      h("h4", {}, "Extensions that follow this item"),
      h("ul", {}, ...item.extensions.map((x) => h("li", {}, h("span", { class: "id" }, x.id), ` ${x.title}`))),
    );
  body.append(h("h4", {}, "Rule elements"), ruleElementList(item.rules, actions));
  body.append(h("h4", {}, "Tests"), testList(item.tests, overview.testsKnown));
  body.append(h("h4", {}, "On the wire (scripted scenarios, rules as saved)"));
  body.append(
    item.wire.length === 0
      ? h("p", {}, "No planned field names this item.")
      : h(
          "table",
          { class: "grid wire" },
          h("tr", {}, h("th", {}, "scenario"), h("th", {}, "message"), h("th", {}, "field"), h("th", {}, "value")),
          ...item.wire.map((f) =>
            h("tr", {}, h("td", {}, f.scenario), h("td", {}, f.message), h("td", {}, f.field), h("td", {}, f.value)),
          ),
        ),
  );
  body.append(h("h4", {}, "In the last live demo (npm start)"));
  if (item.lastRunFields.length)
    body.append(
      h(
        "table",
        { class: "grid last-run-fields" },
        h("tr", {}, h("th", {}, "scenario"), h("th", {}, "message"), h("th", {}, "field"), h("th", {}, "value")),
        ...item.lastRunFields.map((f) =>
          h("tr", {}, h("td", {}, f.scenario), h("td", {}, f.message), h("td", {}, f.field), h("td", {}, f.value)),
        ),
      ),
    );
  if (item.lastRun.length)
    body.append(h("pre", { class: "last-run" }, item.lastRun.map((l) => `${l.scenario}\n${l.line}`).join("\n")));
  if (!item.lastRunFields.length && !item.lastRun.length)
    body.append(h("p", {}, "Nothing from the last live demo names this item (or the demo has not run here)."));
  return body;
}

export function clauseView(overview: Overview, actions: ClauseViewActions): HTMLElement {
  const s = overview.summary;
  const root = h(
    "div",
    { id: "clauses" },
    h(
      "p",
      { class: "summary" },
      overview.testsKnown
        ? `${s.covered} of ${s.normativeItems} normative items have a rule and a passing test · ${s.suspect} suspect · `
        : `${s.withRule} of ${s.normativeItems} normative items have a rule (tests not run) · ${s.suspect} suspect · `,
      `${s.extensions} extensions · ${s.deviations} deviation(s)`,
    ),
  );
  if (!overview.testsKnown)
    root.append(
      h(
        "p",
        { class: "notice", "data-tests-known": "false" },
        "Tests not run: statuses say what the rules trace. Run `npm test` to see which items a passing test proves.",
      ),
    );
  const shown: Array<[HTMLElement, Item]> = [];
  const filters: Array<[string, string, (i: Item) => boolean]> = [
    ["all", "All items", () => true],
    ["suspect", "Suspect", (i) => !!i.suspect],
    ["unproven", "Without a passing test", (i) => i.normative && !i.tests.some((t) => t.status === "passed")],
    ["deviation", "With a deviation", (i) => i.deviations.length > 0],
  ];
  const bar = h("div", { class: "filters" }, "Show: ");
  for (const [name, label, keep] of filters)
    bar.append(
      on(
        h("button", { type: "button", "data-filter": name, "aria-pressed": String(name === "all") }, label),
        "click",
        () => {
          for (const b of bar.querySelectorAll("button"))
            b.setAttribute("aria-pressed", String(b.dataset.filter === name));
          for (const [el, item] of shown) el.hidden = !keep(item);
        },
      ),
      " ",
    );
  root.append(bar);
  for (const c of overview.clauses) {
    const section = h(
      "section",
      { class: "clause", "data-clause": c.clause },
      h("h2", {}, `${c.spec} §${c.clause.split(":")[1]} ${c.title}`),
      h("p", {}, h("small", {}, `${c.file} — quoted from ${c.source}`)),
    );
    for (const item of c.items) {
      const details = h(
        "details",
        { class: "item", "data-id": item.id, "data-status": shownStatus(item, overview.testsKnown) },
        h(
          "summary",
          {},
          h("span", { class: "id" }, item.id),
          ...badges(item, overview.testsKnown),
          h("div", { class: "text" }, item.text),
        ),
      );
      // Filled in on opening: the page stays small with every item closed.
      on(details, "toggle", () => {
        if ((details as HTMLDetailsElement).open && !details.querySelector(".detail"))
          details.append(itemDetail(item, overview, actions));
      });
      shown.push([details, item]);
      section.append(details);
    }
    root.append(section);
  }
  root.append(h("h2", {}, "Extensions (behaviour the clauses are silent on)"));
  for (const x of overview.extensions)
    root.append(
      h(
        "details",
        { class: "item extension", "data-id": x.id },
        h(
          "summary",
          {},
          h("span", { class: "id" }, x.id),
          h("span", { class: "badge info" }, "extension"),
          ` ${x.title}`,
        ),
        h(
          "div",
          { class: "detail" },
          h("p", {}, x.text),
          h("p", {}, `Follows ${x.follows.join(", ")}`),
          h("h4", {}, "Rule elements"),
          ruleElementList(x.rules, actions),
          h("h4", {}, "Tests"),
          testList(x.tests, overview.testsKnown),
        ),
      ),
    );
  return root;
}
