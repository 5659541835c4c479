// CPU a process or one of its threads has used, from /proc (Linux): for the load runs' per-call and per-release
// figures, and which thread is the limit.
import { readdirSync, readFileSync } from "node:fs";

/** utime + stime of a process (all its threads), in seconds; throws if it is gone. */
export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The same, 0 for a process that has exited (SIPp, at the end of its calls). */
export function processCpuSecondsOr0(pid: number): number {
  try {
    return processCpuSeconds(pid);
  } catch {
    return 0;
  }
}

/** Time one thread of a process has run (the first field of its schedstat, in ns), in seconds. */
export function threadCpuSeconds(pid: number, tid = pid): number {
  return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1e9;
}

/** The process's threads and the CPU each has used (seconds), busiest first. */
export function threadsCpu(pid: number): Array<{ tid: number; name: string; seconds: number }> {
  return readdirSync(`/proc/${pid}/task`)
    .map((t) => ({
      tid: Number(t),
      name: readFileSync(`/proc/${pid}/task/${t}/comm`, "utf8").trim(),
      seconds: threadCpuSeconds(pid, Number(t)),
    }))
    .sort((a, b) => b.seconds - a.seconds);
}

/** Busy CPU seconds of the whole machine so far (all CPUs: /proc/stat less idle and iowait, in USER_HZ 100). */
export function machineCpuSeconds(): number {
  const [, ...f] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = f.map(Number);
  return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
}

/** CPU seconds of this process's children that have exited and been reaped (cutime + cstime). */
export function reapedChildrenCpuSeconds(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100;
}
