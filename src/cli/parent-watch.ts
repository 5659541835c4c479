// A command npm started (`npm start`, `npx cleardown serve`) stops when npm is gone, however it went: npm killed by
// SIGHUP or SIGKILL forwards nothing, and npx runs the command under a `sh -c` that outlives npm, so the node
// would go on serving, orphaned. Linux reparents an orphan, so a changed parent PID anywhere between this process
// and npm means npm is gone; the command then gets SIGTERM and stops as it does on SIGTERM (a node closes its
// sockets and store first). A command not started by npm keeps Unix manners: it outlives its parent (nohup, setsid).
import { readFileSync } from "node:fs";

interface Link {
  pid: number;
  ppid: number;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** A `sh -c …` between npm and its script (npx runs every command so). */
function isShellWrapper(pid: number): boolean {
  try {
    const [argv0, flag] = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return /(^|\/)(sh|dash|bash)$/.test(argv0) && flag === "-c";
  } catch {
    return false;
  }
}

/** This process and its ancestors up to npm, each with the parent it has now. */
function chainToNpm(): Link[] {
  const chain: Link[] = [{ pid: process.pid, ppid: process.ppid }];
  let pid = process.ppid;
  while (pid > 1 && isShellWrapper(pid)) {
    const ppid = parentOf(pid);
    if (ppid === undefined) break;
    chain.push({ pid, ppid });
    pid = ppid;
  }
  return chain;
}

/** Polls the chain up to npm; the timer never keeps the process alive by itself. */
export function stopWhenNpmExits(intervalMs = 500): void {
  if (!process.env.npm_command || process.platform !== "linux") return;
  const chain = chainToNpm();
  if (chain.some((l) => l.ppid <= 1)) return;
  const timer = setInterval(() => {
    if (chain.every((l) => (l.pid === process.pid ? process.ppid : parentOf(l.pid)) === l.ppid)) return;
    clearInterval(timer);
    process.kill(process.pid, "SIGTERM");
  }, intervalMs);
  timer.unref();
}
