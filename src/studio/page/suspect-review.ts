// Suspect review: each item whose text changed since its links were approved, the approved and the current
// text as a word diff, what traces it, and an approve button (rules/trace-approvals.json).
import { diffWords } from "diff";
import { api, type Overview } from "./api.ts";
import { type ClauseViewActions, ruleElementList, testList } from "./clause-view.ts";
import { h, on } from "./dom.ts";

function wordDiff(before: string, after: string): HTMLElement {
  const out = h("div", { class: "text word-diff" });
  for (const part of diffWords(before, after))
    out.append(part.added ? h("ins", {}, part.value) : part.removed ? h("del", {}, part.value) : part.value);
  return out;
}

export function suspectReview(overview: Overview, actions: ClauseViewActions, approved: () => void): HTMLElement {
  const items = overview.clauses.flatMap((c) => c.items).filter((i) => i.suspect);
  const root = h("div", { id: "suspects" });
  if (items.length === 0) {
    root.append(
      h(
        "p",
        { "data-suspects": "none" },
        "No suspect item: every traced item's text is the text its rules and tests were approved against.",
      ),
    );
    return root;
  }
  root.append(
    h(
      "p",
      {},
      `${items.length} item(s) changed since their rules and tests were reviewed. Check each rule and test still fits the new words, then approve.`,
    ),
  );
  for (const item of items) {
    const s = item.suspect!;
    const button = on(
      h("button", { type: "button", class: "primary", "data-approve": item.id }, "Approve this text"),
      "click",
      async () => {
        button.setAttribute("disabled", "");
        await api.approve([item.id]);
        approved();
      },
    );
    root.append(
      h(
        "section",
        { class: "suspect", "data-id": item.id },
        h("h3", {}, h("span", { class: "id" }, item.id)),
        h("h4", {}, "What changed"),
        wordDiff(s.approvedText ?? "", s.currentText),
        h(
          "div",
          { class: "diff" },
          h("div", {}, h("b", {}, "Approved text"), h("br"), s.approvedText ?? "(never approved)"),
          h("div", {}, h("b", {}, "Current text"), h("br"), s.currentText),
        ),
        h("h4", {}, "Rule elements that trace it"),
        ruleElementList(item.rules, actions),
        h("h4", {}, "Tests that name it"),
        testList(item.tests, overview.testsKnown),
        h("div", { class: "actions" }, button),
      ),
    );
  }
  return root;
}
