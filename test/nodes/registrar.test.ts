// The registrar and GRUU issue (RFC 3261 §10.3, RFC 5627), whose bindings items 2.a and 3.a resolve through.
import { describe, expect, it } from "vitest";
import type { RegistrationRecord } from "../../generated/types/index.ts";
import { Registrar } from "../../src/nodes/scscf/registrar.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";

function registrar() {
  let now = 1_000_000;
  let n = 0;
  const deregistered: string[] = [];
  const r = new Registrar(new MemoryStore<RegistrationRecord>("t", () => now), {
    defaultExpires: 3600,
    maxExpires: 7200,
    now: () => now,
    token: () => `tok${++n}`,
    onDeregistered: (aor) => deregistered.push(aor),
  });
  return { r, deregistered, advance: (ms: number) => (now += ms) };
}

const instance = "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";

describe("registrar with GRUU", () => {
  it("rfc5627:3 issues pub-gruu and temp-gruu for a contact with +sip.instance when gruu is supported", async () => {
    const { r } = registrar();
    const res = await r.register({
      aor: "sip:alice@home1.net",
      contacts: [{ uri: "sip:alice@192.0.2.1:5060", instance, regId: 1 }],
      supportsGruu: true,
      callId: "c1",
      cseq: 1,
    });
    expect(res).toEqual({
      status: 200,
      contacts: [
        {
          uri: "sip:alice@192.0.2.1:5060",
          expires: 3600,
          instance,
          regId: 1,
          pubGruu: "sip:alice@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
          tempGruu: "sip:tgruu.tok1@home1.net;gr",
        },
      ],
    });
    expect(await r.bindingsFor(["sip:alice@home1.net"])).toEqual([
      {
        aor: "sip:alice@home1.net",
        contact: "sip:alice@192.0.2.1:5060",
        instance,
        tempGruus: ["sip:tgruu.tok1@home1.net;gr"],
      },
    ]);
  });

  it("rfc5627:3 a refresh issues a new temp-gruu and keeps the earlier ones valid; no gruu without Supported: gruu", async () => {
    const { r } = registrar();
    await r.register({
      aor: "sip:alice@home1.net",
      contacts: [{ uri: "sip:alice@192.0.2.1", instance }],
      supportsGruu: true,
      callId: "c1",
      cseq: 1,
    });
    await r.register({
      aor: "sip:alice@home1.net",
      contacts: [{ uri: "sip:alice@192.0.2.1", instance }],
      supportsGruu: true,
      callId: "c1",
      cseq: 2,
    });
    expect((await r.bindingsFor(["sip:alice@home1.net"]))[0].tempGruus).toEqual([
      "sip:tgruu.tok1@home1.net;gr",
      "sip:tgruu.tok2@home1.net;gr",
    ]);
    const plain = await r.register({
      aor: "sip:bob@home1.net",
      contacts: [{ uri: "sip:bob@192.0.2.2", instance }],
      supportsGruu: false,
      callId: "c2",
      cseq: 1,
    });
    expect(plain).toMatchObject({ status: 200, contacts: [{ pubGruu: undefined, tempGruu: undefined }] });
  });

  it("rfc3261:10.3 expires 0 removes a binding; the last one gone is a deregistration", async () => {
    const { r, deregistered } = registrar();
    await r.register({
      aor: "sip:alice@home1.net",
      contacts: [{ uri: "sip:alice@192.0.2.1" }],
      supportsGruu: false,
      callId: "c1",
      cseq: 1,
    });
    await r.register({
      aor: "sip:alice@home1.net",
      contacts: [{ uri: "sip:alice@192.0.2.1", expires: 0 }],
      supportsGruu: false,
      callId: "c1",
      cseq: 2,
    });
    expect(await r.contactsOf("sip:alice@home1.net")).toEqual([]);
    expect(deregistered).toEqual(["sip:alice@home1.net"]);
    expect(
      await r.register({
        aor: "sip:alice@home1.net",
        contacts: "*",
        expires: 3600,
        supportsGruu: false,
        callId: "c1",
        cseq: 3,
      }),
    ).toMatchObject({ status: 400 });
  });

  it("rfc3261:10.3 a binding that expires is gone, and reported as a deregistration", async () => {
    const { r, deregistered, advance } = registrar();
    await r.register({
      aor: "sip:alice@home1.net",
      contacts: [{ uri: "sip:alice@192.0.2.1", expires: 60 }],
      supportsGruu: false,
      callId: "c1",
      cseq: 1,
    });
    advance(61_000);
    await r.expire();
    expect(await r.bindingsFor(["sip:alice@home1.net"])).toEqual([]);
    expect(deregistered).toEqual(["sip:alice@home1.net"]);
  });
});
