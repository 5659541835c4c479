// The S-CSCF's registrar (RFC 3261 §10.3) with GRUU (RFC 5627): bindings per address of record, pub-gruu and
// temp-gruu issued for contacts with +sip.instance when the UA supports gruu, and the view the rules read to
// resolve a GRUU (RegistrarBinding). REGISTER is accepted from trusted addresses only; authentication is the
// HSS's job and out of scope.
import type {
  RegistrarBinding,
  RegistrationRecord,
  StoredBinding,
  TempGruuRecord,
} from "../../../generated/types/index.ts";
import type { Store } from "../../store/store.ts";

export interface ContactToRegister {
  uri: string;
  /** expires parameter of the Contact, if any. */
  expires?: number;
  instance?: string;
  regId?: number;
}

export interface RegisterRequest {
  aor: string;
  /** Contact values; "*" (with expires 0) removes every binding. */
  contacts: ContactToRegister[] | "*";
  /** Expires header, if any. */
  expires?: number;
  supportsGruu: boolean;
  callId: string;
  cseq: number;
}

export interface GrantedContact {
  uri: string;
  expires: number;
  pubGruu?: string;
  tempGruu?: string;
  instance?: string;
  regId?: number;
}

export type RegisterResult = { status: 200; contacts: GrantedContact[] } | { status: 400 | 500; reason: string };

export interface RegistrarOptions {
  defaultExpires: number;
  maxExpires: number;
  now: () => number;
  /** Opaque, unguessable token for a temporary GRUU's user part. */
  token: () => string;
  /** Called when an address of record loses its last binding (deregistration or expiry). */
  onDeregistered?: (aor: string) => void;
  /** Temporary GRUU → address of record, so requests to a temporary GRUU can be routed (RFC 5627 §3.4). */
  tempGruus?: Store<TempGruuRecord>;
}

const stripParams = (uri: string) => uri.split(";")[0];
const domainOf = (aor: string) =>
  aor
    .replace(/^[a-z]+:/i, "")
    .split("@")
    .pop() ?? aor;
const instanceValue = (instance: string) => instance.replace(/^<(.*)>$/, "$1");

function bindingKey(b: { contact: string; instance?: string; regId?: number }): string {
  return b.instance ? `${b.instance}#${b.regId ?? 0}` : stripParams(b.contact);
}

/** A temporary GRUU's key: its opaque user part and host. */
const gruuKey = (gruu: string) =>
  stripParams(gruu)
    .replace(/^sips?:/i, "")
    .toLowerCase();

export function publicGruu(aor: string, instance: string): string {
  return `${stripParams(aor)};gr=${instanceValue(instance)}`;
}

export class Registrar {
  constructor(
    /** Read by the admin API's registrations list. */
    readonly store: Store<RegistrationRecord>,
    private readonly options: RegistrarOptions,
  ) {}

  private live(bindings: StoredBinding[]): StoredBinding[] {
    const now = this.options.now();
    return bindings.filter((b) => b.expiresAt > now);
  }

  async register(req: RegisterRequest): Promise<RegisterResult> {
    const aor = stripParams(req.aor);
    const now = this.options.now();
    let granted: GrantedContact[] = [];
    let lostLast = false;
    let rejected: string | undefined;
    await this.store.update(aor, (record) => {
      const before = this.live(record?.bindings ?? []);
      let bindings = before;
      if (req.contacts === "*") {
        if (req.expires !== 0) {
          rejected = 'Contact "*" is allowed only with Expires: 0 (RFC 3261 §10.3 step 6)';
          return record;
        }
        bindings = [];
      } else {
        for (const c of req.contacts) {
          const expires = Math.min(c.expires ?? req.expires ?? this.options.defaultExpires, this.options.maxExpires);
          const key = bindingKey({ contact: c.uri, instance: c.instance, regId: c.regId });
          const existing = bindings.find((b) => bindingKey(b) === key);
          if (existing && existing.callId === req.callId && existing.cseq >= req.cseq) continue; // stale or repeated REGISTER
          bindings = bindings.filter((b) => bindingKey(b) !== key);
          if (expires === 0) continue;
          const issueGruu = req.supportsGruu && c.instance !== undefined;
          const tempGruu = issueGruu ? `sip:tgruu.${this.options.token()}@${domainOf(aor)};gr` : undefined;
          bindings.push({
            contact: c.uri,
            instance: c.instance,
            regId: c.regId,
            expiresAt: now + expires * 1000,
            // Earlier temporary GRUUs stay valid as long as the binding does (RFC 5627 §5.2).
            tempGruus: [...(existing?.tempGruus ?? []), ...(tempGruu ? [tempGruu] : [])],
            callId: req.callId,
            cseq: req.cseq,
          });
        }
      }
      lostLast = before.length > 0 && bindings.length === 0;
      granted = bindings.map((b) => ({
        uri: b.contact,
        expires: Math.round((b.expiresAt - now) / 1000),
        instance: b.instance,
        regId: b.regId,
        pubGruu: req.supportsGruu && b.instance ? publicGruu(aor, b.instance) : undefined,
        tempGruu: req.supportsGruu ? b.tempGruus.at(-1) : undefined,
      }));
      return bindings.length === 0 ? undefined : { aor, bindings };
    });
    if (rejected) return { status: 400, reason: rejected };
    for (const c of granted)
      if (c.tempGruu) await this.options.tempGruus?.update(gruuKey(c.tempGruu), () => ({ aor }), c.expires);
    if (lostLast) this.options.onDeregistered?.(aor);
    return { status: 200, contacts: granted };
  }

  /** The bindings of the given addresses of record, as the rules read them to resolve a GRUU. */
  async bindingsFor(aors: string[]): Promise<RegistrarBinding[]> {
    const out: RegistrarBinding[] = [];
    const wanted = [...new Set(aors.map(stripParams))];
    // Read together: a shared store gets them in one round trip.
    const records = await Promise.all(wanted.map((aor) => this.store.get(aor)));
    wanted.forEach((aor, i) => {
      for (const b of this.live(records[i]?.value.bindings ?? [])) {
        out.push({ aor, contact: b.contact, instance: b.instance, tempGruus: b.tempGruus });
      }
    });
    return out;
  }

  /** The bindings a GRUU may be bound to: its address of record's (public GRUU) or its issuer's (temporary). */
  async bindingsForGruu(gruu: string): Promise<RegistrarBinding[]> {
    const index = await this.options.tempGruus?.get(gruuKey(gruu));
    return this.bindingsFor([index?.value.aor ?? stripParams(gruu)]);
  }

  /** The live contacts of an address of record (for routing a request to a served user). */
  async contactsOf(aor: string): Promise<string[]> {
    const record = await this.store.get(stripParams(aor));
    return this.live(record?.value.bindings ?? []).map((b) => b.contact);
  }

  /** Addresses of record with a record in the store. */
  size(): Promise<number> {
    return this.store.size();
  }

  /** Removes expired bindings; reports addresses of record that lost their last one. */
  async expire(): Promise<void> {
    for (const aor of await this.store.keys()) {
      let lost = false;
      await this.store.update(aor, (record) => {
        if (!record) return undefined;
        const live = this.live(record.bindings);
        lost = record.bindings.length > 0 && live.length === 0;
        return live.length === 0 ? undefined : { ...record, bindings: live };
      });
      if (lost) this.options.onDeregistered?.(aor);
    }
  }
}
