// A pino logger for tests: silent unless CLEARDOWN_TEST_LOG names a level (debugging a failing test).
import { type Logger, pino } from "pino";

export function silentLogger(): Logger {
  return pino({ level: process.env.CLEARDOWN_TEST_LOG ?? "silent" });
}
