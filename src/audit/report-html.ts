// audit/report.html: one self-contained page (no network assets) an auditor can read and filter.
import type { ClauseDocument } from "../../generated/types/index.ts";
import {
  auditVerdict,
  type ItemRow,
  itemBadges,
  type Matrix,
  type RuleLink,
  readingText,
  type TestLink,
  testCommand,
} from "./traceability.ts";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const style = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1b1b;max-width:75rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
table.summary td,table.summary th{padding:.2rem .8rem;text-align:left}
.item{border-left:4px solid #bbb;margin:.4rem 0;padding:.2rem .6rem;background:#fafafa}
.item[data-status=covered]{border-color:#2e7d32}.item[data-status=no-rule],.item[data-status=no-test],.item[data-status=failing]{border-color:#c62828}
.item[data-status=suspect]{border-color:#ef6c00}.item[data-status=tests-not-run]{border-color:#78909c}
.badge{font-size:.75rem;padding:0 .4rem;border-radius:.6rem;background:#ddd;margin-left:.4rem}
.badge[data-badge=covered]{background:#c8e6c9}.badge[data-badge=suspect]{background:#ffe0b2}
.badge[data-badge="no rule"],.badge[data-badge="no test"],.badge[data-badge=failing]{background:#ffcdd2}
.notice{background:#eceff1;border-left:4px solid #78909c;padding:.4rem .6rem}
#verdict{font-weight:600}
.id{font-family:ui-monospace,monospace;font-weight:600}
pre{background:#f0f0f0;padding:.5rem;overflow:auto;font-size:12px;max-height:24rem}
.diff{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}.diff div{background:#fff3e0;padding:.4rem}
.passed{color:#2e7d32}.failed{color:#c62828}.skipped{color:#777}
.filters button{margin-right:.4rem}.filters button[aria-pressed=true]{font-weight:700}
.ladder{font-family:ui-monospace,monospace;font-size:12px;white-space:pre}`;

const script = `
document.querySelectorAll('.filters button').forEach(function(b){b.addEventListener('click',function(){
  var f=b.dataset.filter;document.querySelectorAll('.filters button').forEach(function(x){x.setAttribute('aria-pressed',String(x===b))});
  document.querySelectorAll('.item').forEach(function(i){var s=i.dataset.status;
    i.hidden=f==='uncovered'?!(s==='no-rule'||s==='no-test'||s==='failing'):f==='suspect'?i.dataset.suspect!=='true':false});
  document.querySelectorAll('section.clause').forEach(function(c){c.hidden=!c.querySelector('.item:not([hidden])')});
})});`;

function ruleList(rules: RuleLink[]): string {
  if (rules.length === 0) return "<p>No rule implements this item.</p>";
  return rules
    .map(
      (r) =>
        `<details class="rule" data-rule="${esc(r.id)}"><summary>rule <span class="id">${esc(r.id)}</span> — ${esc(r.file)}</summary><pre>${esc(JSON.stringify(r.rule, null, 2))}</pre></details>`,
    )
    .join("");
}

function testList(tests: TestLink[], testsKnown: boolean): string {
  if (!testsKnown) return `<p class="tests-not-run">Tests not run: <code>${testCommand}</code> runs them.</p>`;
  if (tests.length === 0) return "<p>No test names this item.</p>";
  return `<ul class="tests">${tests.map((t) => `<li class="${t.status}" data-test-status="${t.status}">${esc(t.status)}: ${esc(t.name)} <small>(${esc(t.file)})</small></li>`).join("")}</ul>`;
}

function itemBlock(row: ItemRow, matrix: Matrix): string {
  const deviations = matrix.deviations.filter((d) => d.item === row.id);
  const suspect = row.suspect
    ? `<div class="diff" data-suspect-diff><div><b>approved text</b><br>${esc(row.suspect.approvedText ?? "(never approved)")}</div><div><b>current text</b><br>${esc(row.text)}</div></div>`
    : "";
  const dev = deviations
    .map(
      (d) =>
        `<div class="deviation"><b>Deviation</b> (${esc(d.file)}): seed says “${esc(d.seedText)}”; chosen reading: ${esc(d.chosenReading)} Reason: ${esc(d.reason)} Switch: policy <code>${esc(d.switch.policy)}</code> = <code>${esc(d.switch.literal)}</code> restores the seed's reading (the rule file chooses <code>${esc(d.switch.chosen)}</code>). <b data-in-force="${esc(d.inForce.reading)}">In force</b>: ${esc(readingText(d.inForce))}.</div>`,
    )
    .join("");
  const badges = itemBadges(row)
    .map((b) => `<span class="badge" data-badge="${esc(b)}">${esc(b)}</span>`)
    .join("");
  return `<details class="item" data-id="${esc(row.id)}" data-status="${row.status}" data-suspect="${row.suspect !== undefined}"><summary><span class="id">${esc(row.id)}</span>${badges} ${esc(row.text)}</summary>${suspect}${dev}<h4>Rules</h4>${ruleList(row.rules)}<h4>Tests</h4>${testList(row.tests, matrix.testsKnown)}</details>`;
}

/** A demo scenario's ladder diagram: the text form (clause ids beside each arrow) and the SVG one. */
export interface ScenarioLadder {
  title: string;
  text: string;
  svg?: string;
}

export function reportHtml(matrix: Matrix, documents: ClauseDocument[], ladders: ScenarioLadder[] = []): string {
  const s = matrix.summary;
  const summary = (Object.entries(s) as Array<[string, number]>)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td data-summary="${esc(k)}">${v}</td></tr>`)
    .join("");
  const notRun = matrix.testsKnown
    ? ""
    : `<p class="notice" id="tests-not-run">Tests not run: no test results were found (test-results/vitest.json), so no item counts as covered yet and none is known to fail. <code>${testCommand}</code> runs the tests and then this audit.</p>`;
  const clauses = documents
    .filter((d) => d.kind === "clause")
    .map((d) => {
      const rows = matrix.items.filter((r) => r.clause === d.clause);
      return `<section class="clause" data-clause="${esc(d.clause!)}"><h2>${esc(d.spec ?? "")} §${esc(d.clause!.split(":")[1])} ${esc(d.title)}</h2><p><small>${esc(d.file)} — quoted from ${esc(d.source ?? "")}</small></p>${rows.map((r) => itemBlock(r, matrix)).join("")}</section>`;
    })
    .join("");
  const extensions = matrix.extensions
    .map(
      (x) =>
        `<details class="extension" data-id="${esc(x.id)}"><summary><span class="id">${esc(x.id)}</span> ${esc(x.title)} <small>follows ${esc(x.follows.join(", "))}</small></summary><p>${esc(x.text)}</p><h4>Rules</h4>${ruleList(x.rules)}<h4>Tests</h4>${testList(x.tests, matrix.testsKnown)}</details>`,
    )
    .join("");
  const referenced = documents
    .filter((d) => d.kind === "referenced")
    .flatMap((d) => d.items)
    .map((i) => `<li><span class="id">${esc(i.id)}</span> ${esc(i.text)} <small>(not quoted)</small></li>`)
    .join("");
  // The SVG is our own output (svgLadder escapes every text it writes), so it is embedded as it is.
  const ladderHtml = ladders
    .map(
      (l) =>
        `<section class="scenario" data-scenario="${esc(l.title)}"><h3>${esc(l.title)}</h3><div class="ladder">${esc(l.text)}</div>${l.svg ? `<details><summary>sequence diagram</summary>${l.svg}</details>` : ""}</section>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cleardown traceability report</title><style>${style}</style></head>
<body><h1>cleardown traceability report</h1>
${notRun}<p id="verdict">${esc(auditVerdict(matrix))}</p>
<table class="summary" id="summary">${summary}</table>
<p class="filters">Show: <button data-filter="all" aria-pressed="true">all items</button><button data-filter="uncovered" aria-pressed="false">uncovered</button><button data-filter="suspect" aria-pressed="false">suspect (${s.suspect})</button></p>
${clauses}
<h2>Extensions (behaviour the clauses are silent on)</h2>${extensions}
<h2>Referenced clauses</h2><ul>${referenced}</ul>
${ladderHtml ? `<h2>Ladder diagrams of the demo scenarios</h2>${ladderHtml}` : ""}
<script>${script}</script></body></html>
`;
}
