// The thread a reload's check runs on (see check-rules.ts): it reads, parses and validates the rule files and
// posts back the ordered rule set, or the problems, then ends.
import { parentPort, workerData } from "node:worker_threads";
import { checkRules, type RuleCheckRequest } from "./check-rules.ts";

parentPort?.postMessage(checkRules(workerData as RuleCheckRequest));
