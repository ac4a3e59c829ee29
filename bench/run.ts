// `npm run bench`: runs every benchmark module in bench/, in name order, then prints PASS or
// MISS for each target the modules report. `npm run bench -- compiler` runs one (several names
// may be given; other arguments are passed on); `--strict` makes a MISS exit with status 1.
//
// A benchmark module either default-exports an async function that prints its tables and
// returns its checks ({ name, pass, detail }[]), or exports `main(args)`, which prints its own
// table and verdicts. Other files in bench/ (shared code, worker scripts that another benchmark
// spawns, names starting with "_") are not benchmarks and are not imported. Not a test: times
// depend on the machine.

import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

interface BenchModule {
  default?: () => Promise<Check[] | void>;
  main?: (args: string[]) => Promise<void>;
}

const dir = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const candidates = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.endsWith(".d.ts") && !f.startsWith("_"))
  .sort();
const names = new Set(candidates.map((f) => path.basename(f, ".ts")));
const only = args.filter((a) => names.has(a));
const passOn = args.filter((a) => !names.has(a) && a !== "--strict");
// Decided from the source, so that helpers and worker scripts are never imported (and run).
const isBenchmark = (file: string) => /^export\s+default\b|^export\s+(async\s+)?function\s+main\s*\(/m.test(fs.readFileSync(path.join(dir, file), "utf8"));
const modules = candidates.filter((f) => (only.length === 0 || only.includes(path.basename(f, ".ts"))) && isBenchmark(f));

const results: { bench: string; check: Check }[] = [];
const selfReported: string[] = [];
for (const file of modules) {
  const bench = path.basename(file, ".ts");
  console.log(`\n=== ${bench} ${"=".repeat(Math.max(0, 86 - bench.length))}\n`);
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as BenchModule;
  if (typeof mod.default === "function") {
    for (const check of (await mod.default()) ?? []) results.push({ bench, check });
  } else if (typeof mod.main === "function") {
    await mod.main(passOn);
    selfReported.push(bench);
  }
}

console.log(`\n=== targets ${"=".repeat(82)}\n`);
for (const { bench, check } of results) console.log(`${check.pass ? "PASS" : "MISS"}  ${bench}: ${check.name}: ${check.detail}`);
for (const bench of selfReported) console.log(`(see above)  ${bench}: prints its own PASS/MISS per figure`);
const missed = results.filter((r) => !r.check.pass).length;
console.log(`\n${results.length - missed} of ${results.length} targets met${selfReported.length > 0 ? ` (besides ${selfReported.join(", ")})` : ""}`);
if (missed > 0 && args.includes("--strict")) process.exitCode = 1;
