// Deployed workflow modules, loaded into the sandbox once per version and kept.

import { loadWorkflowModule } from "../sandbox.ts";
import type { WorkflowFunction } from "../runtime/execution.ts";
import type { SqlExecutor } from "../storage/types.ts";

export interface LoadedModule {
  name: string;
  version: number;
  hash: string;
  run: WorkflowFunction;
}

export class ModuleCache {
  private readonly modules = new Map<string, Promise<LoadedModule>>();

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

  private async load(name: string, version: number): Promise<LoadedModule> {
    const rows = await this.db.query("SELECT code FROM workflow_version WHERE name = ? AND version = ?", [name, version]);
    if (rows.length === 0) throw new Error(`workflow ${name} version ${version} is not deployed`);
    const module = loadWorkflowModule(String(rows[0].code), `${name}@${version}.js`);
    return { name, version, hash: module.hash, run: module.run };
  }
}
