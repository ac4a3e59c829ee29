// The crash soak (scripts/soak.ts, `npm run soak`), short: on each database three `weft
// worker` processes run a few dozen runs with signals while six of them are SIGKILLed at random
// moments; every run must complete with its signals received once, no step recorded twice or
// run again after its completion was recorded, every crash an attempt in the history, and the
// dead workers' runs taken over well within a lease.

import { afterAll, describe, expect, it } from "vitest";
import { formatReport, percentile, removeSoakCli, soak } from "../../scripts/soak.ts";

afterAll(() => removeSoakCli());

describe.each(["sqlite", "postgresql"] as const)("the crash soak, short, on %s", (db) => {
  it(
    "every run completes, every signal is received once, nothing runs or is recorded twice, every crash is an attempt",
    async () => {
      const report = await soak({ db, runs: 20, kills: 6, workers: 3, inFlight: 20, killEveryMs: [300, 700], settleMs: 45_000, log: () => {} });
      console.log(formatReport(report));
      expect(report.violations).toEqual([]);
      expect(report.completed).toBe(report.runs);
      expect(report.runs).toBeGreaterThanOrEqual(20);
      expect(report.kills).toBe(6);
      expect(report.signals).toBe(2 * report.runs);
      // Kills land in the middle of attempts: some were lost, and counted.
      expect(report.workerLost).toBeGreaterThan(0);
      // Taken over on noticing the death, not at the end of a lease (10 s): the target is 2 s at
      // the 99th percentile (npm run soak measures it); a handful of kills on a busy machine
      // are held to less.
      expect(percentile(report.takeoverMs, 50)!).toBeLessThan(3000);
      expect(report.takeoverMs.at(-1)!).toBeLessThan(9000);
    },
    60_000,
  );
});
