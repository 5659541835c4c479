// The rules a running node decides with. It starts on the generated runtime and can take new rule files
// while running (watcher, SIGHUP, admin API): they are validated and compiled in-process; bad files are
// rejected and the rules in force stay in force. Each version is kept by digest, so a release that started
// under one version finishes under it.
import { type FSWatcher, watch } from "node:fs";
import { join } from "node:path";
import { runtimes } from "../../generated/runtime/index.ts";
import type { Decision, FiredAction, GmscFacts, Policy, ScscfFacts } from "../../generated/types/index.ts";
import { buildDecider } from "../generate/runtime.ts";
import { loadSpec } from "../spec/clause-items.ts";
import { checkRules, type RuleCheck, type RuleCheckRequest } from "./check-rules.ts";
import { checkOffThread } from "./check-thread.ts";
import {
  DEFAULT_MAX_RULE_FILE_BYTES,
  type FactsKind,
  loadRuleSets,
  type RuleSet,
  readRuleSources,
} from "./load-rules.ts";
import { materialiseAll } from "./materialise.ts";
import type { Facts, Tables } from "./recipes.ts";
import { formatProblem, RuleError } from "./rule-problems.ts";

export interface RuleVersion {
  digest: string;
  decide(facts: Facts): FiredAction[];
  tables: Tables;
  /** The deviation switches the rule files chose (policy key → value): the policy's defaults under these rules. */
  switches: Partial<Policy>;
}

export type ReloadResult = { ok: true; digest: string; changed: boolean } | { ok: false; errors: string[] };

export class LiveRules {
  private readonly versions = new Map<string, RuleVersion>();
  private current: RuleVersion;
  private watcher?: FSWatcher;
  private reloading: Promise<unknown> = Promise.resolve();
  /** The rule files the version in force was built from, when they were read (not for the generated runtime). */
  private loaded?: RuleSet;

  constructor(
    readonly kind: FactsKind,
    private readonly root: string,
    private readonly rulesDir = "rules",
    private readonly maxFileBytes = DEFAULT_MAX_RULE_FILE_BYTES,
  ) {
    const generated = runtimes[kind];
    this.current = {
      digest: generated.ruleSetDigest,
      decide: generated.decide as (f: Facts) => FiredAction[],
      tables: generated.tables,
      switches: generated.switches,
    };
    this.versions.set(this.current.digest, this.current);
  }

  get digest(): string {
    return this.current.digest;
  }

  version(digest?: string): RuleVersion {
    return (digest && this.versions.get(digest)) || this.current;
  }

  /** Decides with the current rules, or with the version a release started under. */
  plan(facts: ScscfFacts | GmscFacts, digest?: string): Decision & { digest: string } {
    const v = this.version(digest);
    const actions = v.decide(facts);
    return { actions, plans: materialiseAll(actions, facts, v.tables), digest: v.digest };
  }

  /** Validates and compiles the rule files on disk; on any problem the rules in force stay. */
  reload(): ReloadResult {
    return this.take(checkRules(this.checkRequest()));
  }

  /**
   * The same, with reading, parsing and validating on a thread of its own: the node's thread only compiles
   * the checked set, so it keeps answering while a large rule file is checked. Reloads take effect in the order
   * they were asked for.
   */
  reloadOffThread(): Promise<ReloadResult> {
    const next = this.reloading.then(() => checkOffThread(this.checkRequest())).then((check) => this.take(check));
    this.reloading = next.catch(() => undefined);
    return next;
  }

  private checkRequest(): RuleCheckRequest {
    return { kind: this.kind, root: this.root, rulesDir: this.rulesDir, maxFileBytes: this.maxFileBytes };
  }

  /** Compiles a checked rule set and puts it in force (unless it is the one in force already). */
  private take(check: RuleCheck): ReloadResult {
    if (!check.ok) return check;
    try {
      const { set, digest } = check;
      this.loaded = set;
      if (digest === this.current.digest) return { ok: true, digest, changed: false };
      const built = buildDecider(set);
      this.current = this.versions.get(digest) ?? {
        digest,
        decide: built.decide as (f: Facts) => FiredAction[],
        tables: built.tables,
        switches: built.switches,
      };
      this.versions.set(digest, this.current);
      return { ok: true, digest, changed: true };
    } catch (err) {
      if (err instanceof RuleError) return { ok: false, errors: err.problems.map(formatProblem) };
      return { ok: false, errors: [String((err as Error).message)] };
    }
  }

  /**
   * The rules in force as files (ids, conditions, actions): those last loaded, else those on disk, which the
   * generated runtime was compiled from. Undefined when rules/ cannot be read or is broken.
   */
  ruleSet(): RuleSet | undefined {
    if (this.loaded) return this.loaded;
    try {
      return loadRuleSets(readRuleSources(this.root, this.rulesDir), loadSpec(this.root))[this.kind];
    } catch {
      return undefined;
    }
  }

  /** Reloads when a file under rules/ changes (debounced); reports each outcome. */
  watch(
    onReload: (result: ReloadResult) => void,
    debounceMs = 100,
    reload: () => ReloadResult | Promise<ReloadResult> = () => this.reload(),
  ): void {
    let timer: NodeJS.Timeout | undefined;
    this.watcher = watch(join(this.root, this.rulesDir), () => {
      clearTimeout(timer);
      timer = setTimeout(() => void Promise.resolve(reload()).then(onReload), debounceMs);
    });
  }

  close(): void {
    this.watcher?.close();
  }
}
