// The studio's one page: a frame the bundled script (/studio.js) fills in. No asset comes from the network.
const style = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1.2rem;background:#263238;color:#fff}
header h1{font-size:1.15rem;margin:0 1rem 0 0}
nav button{background:none;border:0;color:#cfd8dc;font:inherit;padding:.3rem .7rem;border-radius:.3rem;cursor:pointer}
nav button[aria-selected=true]{background:#455a64;color:#fff;font-weight:600}
main{padding:1rem 1.2rem;max-width:90rem}
.summary{color:#37474f;margin:.2rem 0 .5rem}
.filters button{font:inherit;font-size:.85rem;border:1px solid #b0bec5;background:#fff;border-radius:1rem;padding:.1rem .7rem;cursor:pointer}
.filters button[aria-pressed=true]{background:#263238;color:#fff}
.notice{background:#eceff1;border-left:4px solid #78909c;padding:.4rem .7rem;margin:.5rem 0}
h2{font-size:1.15rem;margin:1.6rem 0 .2rem;border-bottom:1px solid #cfd8dc}
.item{border-left:4px solid #b0bec5;margin:.35rem 0;padding:.25rem .7rem;background:#fafafa}
.item[data-status=covered]{border-color:#2e7d32}
.item[data-status=no-rule],.item[data-status=no-test],.item[data-status=failing]{border-color:#c62828}
.item[data-status=suspect]{border-color:#ef6c00}
.item > summary{cursor:pointer}
.item > summary .text{margin:.15rem 0 .1rem 1.1rem}
.id{font-family:ui-monospace,monospace;font-weight:600;font-size:.9em}
.badge{display:inline-block;font-size:.75rem;padding:0 .45rem;border-radius:.7rem;background:#e0e0e0;margin-left:.3rem}
.badge.ok{background:#c8e6c9}.badge.bad{background:#ffcdd2}.badge.warn{background:#ffe0b2}.badge.info{background:#bbdefb}
.text{white-space:pre-wrap}
.detail h4{margin:.7rem 0 .2rem;font-size:.95rem}
.detail ul{margin:.2rem 0;padding-left:1.2rem}
button.link{background:none;border:0;color:#1565c0;cursor:pointer;font:inherit;padding:0;text-align:left;text-decoration:underline}
table.grid{border-collapse:collapse;font-size:.9rem;margin:.3rem 0}
table.grid td,table.grid th{border:1px solid #e0e0e0;padding:.2rem .5rem;text-align:left;vertical-align:top}
.passed{color:#2e7d32}.failed{color:#c62828}.skipped{color:#757575}
pre{background:#f5f5f5;padding:.5rem;overflow:auto;font-size:12px;margin:.3rem 0}
.edit{display:grid;grid-template-columns:16rem minmax(0,1fr);gap:1rem}
.files button{display:block;width:100%;text-align:left;margin:.15rem 0;padding:.35rem .5rem;border:1px solid #cfd8dc;background:#fff;border-radius:.3rem;cursor:pointer;font:inherit;font-size:.85rem}
.files button[aria-current=true]{background:#e3f2fd;border-color:#1565c0}
fieldset{border:1px solid #cfd8dc;margin:.5rem 0;padding:.4rem .7rem}
legend{font-weight:600}
fieldset input{font:inherit;padding:.15rem .3rem;width:9rem}
fieldset input.num{width:5.5rem}fieldset input.wide{width:16rem}
input[aria-invalid=true]{border:2px solid #c62828;background:#ffebee}
.error{color:#c62828;font-size:.85rem}
.cm-editor{border:1px solid #b0bec5;height:26rem;font-size:13px}
.actions{display:flex;gap:.6rem;align-items:center;margin:.6rem 0}
.actions button.primary{background:#1565c0;color:#fff;border:0;padding:.45rem 1.1rem;border-radius:.3rem;font:inherit;cursor:pointer}
.status-ok{color:#2e7d32}.status-bad{color:#c62828}
.scenario{border:1px solid #cfd8dc;margin:.5rem 0;padding:.3rem .7rem}
.scenario h4{margin:.2rem 0}
del{background:#ffcdd2;text-decoration:line-through}ins{background:#c8e6c9;text-decoration:none}
.diff{display:grid;grid-template-columns:1fr 1fr;gap:.6rem}.diff > div{background:#fff8e1;padding:.4rem .6rem}
.suspect{border:1px solid #ffcc80;background:#fffdf7;padding:.4rem .8rem;margin:.6rem 0}
`;

export function pageHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cleardown studio</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${style}</style></head>
<body><header><h1>cleardown studio</h1><nav id="tabs"></nav></header><main id="main">Loading…</main>
<script type="module" src="/studio.js"></script></body></html>`;
}
