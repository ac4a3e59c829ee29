// Deployed workflow modules, loaded into the sandbox once per version and kept, and which
// version's code a run resumes on: its own, or the newest version declared compatible with it.

import { loadWorkflowModule } from "../sandbox.ts";
import type { WorkflowFunction } from "../runtime/execution.ts";
import type { SqlExecutor } from "../storage/types.ts";
import { compatibilityDeclarations, versionCode } from "../version-store.ts";

export interface LoadedModule {
  name: string;
  version: number;
  hash: string;
  run: WorkflowFunction;
}

/** How long a workflow's compatibility declarations are trusted before they are read again. */
const DECLARATIONS_TTL_MS = 1000;

export class ModuleCache {
  private readonly modules = new Map<string, Promise<LoadedModule>>();
  /** Per workflow name: version → the newest version declared compatible with it, and when read. */
  private readonly adopters = new Map<string, { readAt: number; adopter: Map<number, number> }>();
  private readonly reading = new Map<string, Promise<void>>();

  constructor(private readonly db: SqlExecutor) {}

  get(name: string, version: number): Promise<LoadedModule> {
    const key = `${name}@${version}`;
    let loaded = this.modules.get(key);
    if (!loaded) {
      loaded = this.load(name, version);
      this.modules.set(key, loaded);
      loaded.catch(() => this.modules.delete(key));
    }
    return loaded;
  }

  /**
   * The module a run started on `version` with `hash` resumes on. Its own version's, which must
   * still have the run's hash; or, when a newer version was deployed `--compatible-with` it
   * (directly or through a chain of such declarations), the newest such version's.
   */
  async forRun(runId: string, name: string, version: number, hash: string): Promise<LoadedModule> {
    const target = await this.resolve(name, version);
    const module = await this.get(name, target);
    if (target === version && module.hash !== hash) {
      throw new Error(
        `run ${runId} started on ${name} version ${version} with hash ${hash}, but the stored module has hash ${module.hash}: ` +
          `refusing to resume it on different code (deploy the new code as a new version, declared --compatible-with ${version} if its runs may move to it)`,
      );
    }
    return module;
  }

  /**
   * The version whose code runs of `version` resume on, from declarations read at most a
   * second ago; undefined when those must be read again first (see `resolve`).
   */
  resolveCached(name: string, version: number, now = Date.now()): number | undefined {
    const entry = this.adopters.get(name);
    if (!entry || now - entry.readAt > DECLARATIONS_TTL_MS) return undefined;
    let target = version;
    // Each declaration names an older version, so the chain ends.
    for (let next = entry.adopter.get(target); next !== undefined; next = entry.adopter.get(target)) target = next;
    return target;
  }

  async resolve(name: string, version: number): Promise<number> {
    const cached = this.resolveCached(name, version);
    if (cached !== undefined) return cached;
    let reading = this.reading.get(name);
    if (!reading) {
      reading = this.readDeclarations(name).finally(() => this.reading.delete(name));
      this.reading.set(name, reading);
    }
    await reading;
    return this.resolveCached(name, version) ?? version;
  }

  /**
   * Like `resolve`, from declarations read now: before a run is held for not replaying on its
   * code, in case a version that takes it over was declared within the last second.
   */
  async resolveFresh(name: string, version: number): Promise<number> {
    this.adopters.delete(name);
    return this.resolve(name, version);
  }

  private async readDeclarations(name: string): Promise<void> {
    const adopter = new Map<number, number>();
    for (const { version: to, compatibleWith: from } of await compatibilityDeclarations(this.db, name)) {
      if (to > (adopter.get(from) ?? 0)) adopter.set(from, to);
    }
    this.adopters.set(name, { readAt: Date.now(), adopter });
  }

  private async load(name: string, version: number): Promise<LoadedModule> {
    const code = await versionCode(this.db, name, version);
    if (code === undefined) throw new Error(`workflow ${name} version ${version} is not deployed`);
    const module = loadWorkflowModule(code, `${name}@${version}.js`);
    return { name, version, hash: module.hash, run: module.run };
  }
}
