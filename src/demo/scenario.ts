// One release scenario of the live demo: what it shows, which node it runs on, the clause item ids the node's
// sent messages must carry for it to count, and how it is played on the demo network.
import type { DemoNetwork } from "./demo-network.ts";

export interface Scenario {
  title: string;
  node: "scscf" | "gmsc";
  /** Clause item ids the messages the node sent must name (the scenario fails otherwise). */
  clauses: string[];
  /** Plays the scenario (call `n` of the demo) to its end; resolves with the Call-IDs of its legs at the node. */
  run(net: DemoNetwork, n: number): Promise<string[]>;
}

/** A scenario whose call got under way but missed a step: its ladder still shows what was on the wire. */
export class ScenarioFailed extends Error {
  constructor(
    message: string,
    readonly callIds: string[],
  ) {
    super(message);
    this.name = "ScenarioFailed";
  }
}
