// Issue 16: decisions the GMSC's TypeScript used to make, now made by the rules (both evaluators, decideGmsc) and
// checked by `rules lint` (file:line:column): relaying responses during set-up, the seizure and the MGW audit as
// events, the CANCEL's Reason, the end-to-end header table, the bearer causes, the release causes, the typed towards.
import { describe, expect, it } from "vitest";
import type { Plan } from "../../generated/types/index.ts";
import { FactsError, validateFacts } from "../../src/nodes/decision-pipeline.ts";
import { decideGmsc, header, plansOf, ruleSets } from "./decide.ts";
import { establishing, gmsc } from "./fixtures.ts";
import { lineOf, problemsWith as problemsIn, sources } from "./problems-with.ts";

const kinds = (plans: Plan[]) =>
  plans.map((p) => ("towards" in p ? `${p.kind} → ${p.towards.value}` : p.kind)).filter((k) => k !== "log");
const subtracts = (plans: Plan[]) => plansOf(plans, "h248-subtract").map((p) => `${p.contextId}/${p.terminationId}`);
const endToEnd = Object.keys(ruleSets.gmsc.tables.endToEndHeaders);

describe("x-23.231:7.3.1/relay-responses responses to the initial INVITE, decided by the rules", () => {
  it("x-23.231:7.3.1/relay-responses a 180 is relayed upstream with the end-to-end fields; a 100 is not; nothing while clearing", async () => {
    const ring = await decideGmsc(
      gmsc({ type: "provisional-received", from: "succeeding", status: 180 }, establishing(true)),
    );
    expect(kinds(ring.plans)).toEqual(["forward-response → preceding"]);
    const [fwd] = plansOf(ring.plans, "forward-response");
    expect(fwd.status.value).toBe(180);
    expect(fwd.relay.names).toEqual(endToEnd);
    expect(fwd.relay.names).not.toContain("Contact");
    const trying = await decideGmsc(
      gmsc({ type: "provisional-received", from: "succeeding", status: 100 }, establishing(false)),
    );
    expect(trying.plans).toEqual([]);
    const clearing = await decideGmsc(
      gmsc(
        { type: "provisional-received", from: "succeeding", status: 183 },
        { ...establishing(true), clearing: true },
      ),
    );
    expect(kinds(clearing.plans)).toEqual([]);
  });

  it("x-23.231:7.3.1/relay-responses rfc3261:13.3.1.4 a 2xx is ACKed downstream and relayed upstream; while clearing it is not relayed", async () => {
    const ok = await decideGmsc(
      gmsc({ type: "final-response-received", from: "succeeding", status: 200 }, establishing(true)),
    );
    expect(kinds(ok.plans)).toEqual(["sip-ack → succeeding", "forward-response → preceding"]);
    expect(plansOf(ok.plans, "forward-response")[0].trace).toEqual([
      "x-23.231:7.3.1/relay-responses",
      "rfc3261:13.3.1.4",
    ]);
    const crossing = await decideGmsc(
      gmsc(
        { type: "final-response-received", from: "succeeding", status: 200 },
        { ...establishing(true), clearing: true },
      ),
    );
    expect(kinds(crossing.plans)).not.toContain("forward-response → preceding");
  });
});

describe("x-23.231:7.3.1/cancel-before-forwarding the seizure as an event", () => {
  it("x-23.231:7.3.1/cancel-before-forwarding 23.231:7.3.4/2 terminations seized after the preceding INVITE ended: both released; otherwise nothing", async () => {
    const gone = await decideGmsc(
      gmsc(
        { type: "terminations-seized" },
        {
          preceding: { state: "terminated", provisionalReceived: false, finalResponseReceived: false },
          succeeding: { state: "none", provisionalReceived: false, finalResponseReceived: false },
        },
      ),
    );
    expect(subtracts(gone.plans)).toEqual(["4711/ip/1/1/1", "4711/ip/1/1/2"]);
    expect(plansOf(gone.plans, "h248-subtract")[0].rule).toBe(
      "x-23.231:7.3.1/cancel-before-forwarding#seized-after-cancel",
    );
    const going = await decideGmsc(gmsc({ type: "terminations-seized" }, establishing(false)));
    expect(going.plans).toEqual([]);
  });
});

describe("x-23.231:7.3.4/orphan-context the MGW audit after it returned", () => {
  it("x-23.231:7.3.4/orphan-context 23.231:7.3.4/2 a context no call holds: Release Termination of each of its terminations", async () => {
    const { plans } = await decideGmsc(
      gmsc(
        { type: "orphan-context" },
        {
          preceding: { state: "none", provisionalReceived: false, finalResponseReceived: false },
          succeeding: { state: "none", provisionalReceived: false, finalResponseReceived: false },
          terminations: [
            { id: "ip/9/1/1", contextId: "77", side: "originating", seized: true },
            { id: "ip/9/1/2", contextId: "77", side: "destination", seized: true },
          ],
        },
      ),
    );
    expect(kinds(plans)).toEqual(["h248-subtract", "h248-subtract"]);
    expect(subtracts(plans)).toEqual(["77/ip/9/1/1", "77/ip/9/1/2"]);
    expect(plans[0].trace).toEqual(["x-23.231:7.3.4/orphan-context", "23.231:7.3.4/1", "23.231:7.3.4/2"]);
  });
});

describe("23.231:7.3.1/b.1 the CANCEL's Reason", () => {
  it("23.231:7.3.1/b.1 rfc3326:2 the Reason of the received CANCEL goes on in the CANCEL downstream; none received, none sent", async () => {
    const reason = 'Q.850;cause=16;text="Normal call clearing"';
    const { plans } = await decideGmsc(
      gmsc({ type: "cancel-received", from: "preceding", reason }, establishing(true)),
    );
    const [cancel] = plansOf(plans, "sip-cancel");
    expect(header(cancel, "Reason")).toEqual({
      name: "Reason",
      value: reason,
      trace: ["23.231:7.3.1/b.1", "rfc3326:2"],
    });
    const none = await decideGmsc(gmsc({ type: "cancel-received", from: "preceding" }, establishing(true)));
    expect(plansOf(none.plans, "sip-cancel")[0].headers).toEqual([]);
  });
});

describe("the end-to-end header table (tables.endToEndHeaders)", () => {
  it("23.231:7.3.1/b.2 23.231:7.3.1/b.3 x-23.231:7.3.1/redirect-response a forwarded BYE or error relays the table's fields; a 3xx also its Contacts (rfc3261:8.1.3.4)", async () => {
    const bye = await decideGmsc(gmsc({ type: "bye-received", from: "preceding" }));
    expect(plansOf(bye.plans, "forward-request")[0].relay).toEqual({ names: endToEnd, trace: ["23.231:7.3.1/b.2"] });
    expect(endToEnd).toEqual(expect.arrayContaining(["Content-Type", "Reason", "P-Asserted-Identity", "MIME-Version"]));
    expect(endToEnd).not.toEqual(expect.arrayContaining(["Via"]));
    const error = await decideGmsc(
      gmsc({ type: "final-response-received", from: "succeeding", status: 486 }, establishing(true)),
    );
    expect(plansOf(error.plans, "forward-response")[0].relay.names).not.toContain("Contact");
    const redirect = await decideGmsc(
      gmsc({ type: "final-response-received", from: "succeeding", status: 302 }, establishing(true)),
    );
    expect(plansOf(redirect.plans, "forward-response")[0].relay).toEqual({
      names: [...endToEnd, "Contact"],
      trace: ["x-23.231:7.3.1/redirect-response", "rfc3261:8.1.3.4"],
    });
  });
});

describe("release and bearer causes (tables.reasonByCause, tables.reasonByBearerCause)", () => {
  it("23.231:7.3.3/1 rfc3326:2 a Bearer Released clears with the Reason of its bearer cause (facts BearerCause)", async () => {
    const { plans } = await decideGmsc(
      gmsc({ type: "bearer-released", side: "destination", cause: "bearer-out-of-service" }),
    );
    for (const bye of plansOf(plans, "sip-bye"))
      expect(header(bye, "Reason").value).toBe('Q.850 ;cause=38 ;text="Network out of order"');
  });

  it("23.231:7.3.2/2 rfc3326:2 a GMSC-initiated release clears with the Reason of its cause, the operator's text replacing the table's", async () => {
    const overload = await decideGmsc(gmsc({ type: "release-indication", cause: "overload" }));
    expect(header(plansOf(overload.plans, "sip-bye")[0], "Reason").value).toBe(
      'Q.850 ;cause=42 ;text="Switching equipment congestion"',
    );
    const text = await decideGmsc(
      gmsc({ type: "release-indication", cause: "administrative", text: "Operator release" }),
    );
    expect(header(plansOf(text.plans, "sip-bye")[0], "Reason").value).toBe('Q.850 ;cause=16 ;text="Operator release"');
  });

  it("23.231:7.3.2/1 a release indication for a call already being cleared: no plan (the admin API answers 409)", async () => {
    const { plans } = await decideGmsc(
      gmsc({ type: "release-indication", cause: "administrative" }, { clearing: true }),
    );
    expect(plans).toEqual([]);
  });

  it("a bearer cause the facts schema does not declare is refused at the boundary, naming the place", () => {
    expect(() =>
      validateFacts(
        "gmsc",
        gmsc({ type: "bearer-released", side: "destination", cause: "bearer-xx" as "bearer-nr" }),
        "call-1",
      ),
    ).toThrow(FactsError);
    expect(() =>
      validateFacts(
        "gmsc",
        gmsc({ type: "bearer-released", side: "destination", cause: "bearer-xx" as "bearer-nr" }),
        "call-1",
      ),
    ).toThrow(/^facts for call-1: at \/event\/cause expected/);
  });
});

describe("rules lint: names the GMSC's shell reads, and where a plan may go", () => {
  const main = sources.find((s) => s.file === "rules/23.231-7.3.rules.json")!;
  const problemsWith = (text: string): string[] => problemsIn(main.file, text);

  it("a towards the GMSC cannot send to (a literal, or a table entry) is rejected at its place", () => {
    const literal = main.text.replace('"literal": "succeeding"', '"literal": "called"');
    const [problem] = problemsWith(literal);
    expect(problem).toContain(`rules/23.231-7.3.rules.json:${lineOf(literal, '"literal": "called"')}:`);
    expect(problem).toMatch(
      /\(\/rules\/\d+\/actions\/\d+\/towards\/recipe\/literal\): expected a towards of preceding or succeeding \(plan\.schema\.json, gmsc\), the recipe can give "called"/,
    );
    const table = main.text.replace('"preceding": "succeeding"', '"preceding": "downstream"');
    expect(problemsWith(table)[0]).toMatch(
      /towards\/recipe\): expected a towards of preceding or succeeding .* "downstream"/,
    );
  });

  it("a renamed table the shell reads (reasonByCause, reasonByBearerCause, endToEndHeaders) is rejected at its place under /tables", () => {
    for (const name of ["reasonByCause", "reasonByBearerCause", "endToEndHeaders"]) {
      const renamed = main.text.replace(`"${name}": {`, `"${name}Renamed": {`);
      const problems = problemsWith(renamed);
      expect(
        problems.some(
          (p) =>
            p.includes(`(/tables/${name}): missing key "${name}"`) ||
            p.includes(
              `(/tables/${name}Renamed): unknown table name "${name}Renamed" (no rule looks it up); did you mean "${name}"?`,
            ),
        ),
        problems.join("\n"),
      ).toBe(true);
    }
  });

  it("a bearer cause the facts schema does not know, as a key of reasonByBearerCause, is rejected", () => {
    const typo = main.text.replace('"bearer-nr": {', '"bearer-nx": {');
    expect(problemsWith(typo).join("\n")).toMatch(/\/tables\/reasonByBearerCause/);
  });

  it("the state path call.clearing the shell reads is a required fact: a rule writing another name is rejected", () => {
    const renamed = main.text.replace('"path": "call.clearing"', '"path": "call.clearingStarted"');
    const [problem] = problemsWith(renamed);
    expect(problem).toContain(`:${lineOf(renamed, "call.clearingStarted")}:`);
    expect(problem).toMatch(/expected a state path of GmscFacts, found "call\.clearingStarted"/);
  });

  it("23.231:7.3.4/1 what a Subtract records is a field of the facts schema's Termination, with a value it allows", () => {
    const misspelt = main.text.replace('"path": "termination.seized"', '"path": "termination.seize"');
    const [problem] = problemsWith(misspelt);
    expect(problem).toContain(`:${lineOf(misspelt, "termination.seize")}:`);
    expect(problem).toMatch(/onSent\/0\/path\): expected a state path of GmscFacts, found "termination\.seize"/);
    const wrongValue = main.text.replace(
      '"path": "termination.seized",\n              "recipe": {\n                "literal": false',
      '"path": "termination.seized",\n              "recipe": {\n                "literal": "no"',
    );
    expect(wrongValue).not.toBe(main.text);
    expect(problemsWith(wrongValue).join("\n")).toMatch(/onSent\/0\/recipe/);
  });
});
