// Loading activity plugins (`weft worker --activities MODULE`) and checking activity inputs
// against their schemas. A plugin module's default export is an array of plain objects
// `{ name, title?, description?, inputSchema?, run }` (see engine/activity.ts).

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import Ajv, { type ValidateFunction } from "ajv";
import { ACTIVITY_NAME_PATTERN, type ActivityDefinition } from "./activity.ts";

export type { ActivityDefinition } from "./activity.ts";

/** A module that cannot be loaded, or whose export is not a list of activities. */
export class PluginError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PluginError";
  }
}

/** One problem with an activity's input. */
export interface ActivityInputError {
  /** JSON pointer into the input ("" for the input itself, "/qty", "/items/0/sku"). */
  path: string;
  message: string;
}

const ajv = new Ajv({
  allErrors: true,
  strict: false,
  // Unknown formats are ignored (without a warning); these few are checked.
  logger: false,
  formats: {
    "date-time": {
      type: "string",
      validate: (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)),
    },
    date: { type: "string", validate: (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)) },
    email: /^[^\s@]+@[^\s@]+$/,
    uri: { type: "string", validate: (s: string) => URL.canParse(s) },
    uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  },
});
const validators = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

/**
 * Checks an input against the activity's `inputSchema`. Returns every problem, or [] when the
 * input is valid or the activity has no schema.
 */
export function validateActivityInput(def: Pick<ActivityDefinition, "inputSchema">, input: unknown): ActivityInputError[] {
  if (def.inputSchema === undefined) return [];
  const validate = validatorFor(def.inputSchema);
  if (validate(input)) return [];
  return (validate.errors ?? []).map((e) => {
    let message = e.message ?? "is invalid";
    if (e.keyword === "required") message = `must have property "${(e.params as { missingProperty: string }).missingProperty}"`;
    else if (e.keyword === "additionalProperties") message = `must not have property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    else if (e.keyword === "enum") message = `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    return { path: e.instancePath, message };
  });
}

/** Where a specifier points: a file (relative to cwd, or absolute) or a package name. */
function resolveSpecifier(specifier: string, cwd: string): { url: string; shown: string } {
  const looksLikePath =
    specifier.startsWith("./") ||
    specifier.startsWith("../") ||
    specifier === "." ||
    specifier === ".." ||
    isAbsolute(specifier) ||
    specifier.startsWith("file:") ||
    // `plugins/demo.mjs` as typed on a command line: a file, when there is one
    existsSync(resolve(cwd, specifier));
  if (looksLikePath) {
    const path = specifier.startsWith("file:") ? new URL(specifier) : resolve(cwd, specifier);
    const url = path instanceof URL ? path.href : pathToFileURL(path).href;
    const shown = path instanceof URL ? specifier : path;
    if (!existsSync(path)) throw new PluginError(`cannot load activity module "${specifier}": no such file ${shown}`);
    return { url, shown: `"${specifier}"` };
  }
  // A package name, found from cwd (where the user's node_modules are) as Node would.
  try {
    const resolved = createRequire(join(cwd, "noop.js")).resolve(specifier);
    return { url: pathToFileURL(resolved).href, shown: `"${specifier}"` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // An ESM-only package has no "require" export condition: read its exports for "import".
    if (code === "ERR_PACKAGE_PATH_NOT_EXPORTED") {
      const file = resolveEsmExport(specifier, cwd);
      if (file) return { url: pathToFileURL(file).href, shown: `"${specifier}"` };
    }
    throw new PluginError(
      `cannot load activity module "${specifier}": no such file in ${cwd}, and no package of that name is installed`,
      { cause: error },
    );
  }
}

/** The file an ESM-only package exports for `import`, found from cwd's node_modules. */
function resolveEsmExport(specifier: string, cwd: string): string | undefined {
  const match = /^((?:@[^/]+\/)?[^/@][^/]*)(\/.*)?$/.exec(specifier);
  if (!match) return undefined;
  const [, pkg, sub] = match;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const root = join(dir, "node_modules", pkg!);
    if (existsSync(join(root, "package.json"))) {
      const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports?: unknown };
      let target: unknown = manifest.exports;
      const key = sub ? `.${sub}` : ".";
      if (typeof target === "object" && target !== null && Object.keys(target).some((k) => k.startsWith("."))) {
        target = (target as Record<string, unknown>)[key];
      } else if (key !== ".") {
        return undefined;
      }
      for (let depth = 0; depth < 8 && typeof target === "object" && target !== null && !Array.isArray(target); depth++) {
        const conditions = target as Record<string, unknown>;
        target = conditions.import ?? conditions.node ?? conditions.default;
      }
      return typeof target === "string" ? resolve(root, target) : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The problems of one entry of a module's export ([] when it is a valid activity). */
function entryProblems(entry: unknown): string[] {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return [`is ${describe(entry)}, not an activity object`];
  const e = entry as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof e.name !== "string") problems.push(e.name === undefined ? "has no `name`" : `has a \`name\` that is ${describe(e.name)}, not a string`);
  else if (!ACTIVITY_NAME_PATTERN.test(e.name) || e.name.length > 200) {
    problems.push(`has the name ${JSON.stringify(e.name)}: names are dot-separated words of letters, digits, "_" and "-", each starting with a letter, such as "orders.init"`);
  }
  if (typeof e.run !== "function") problems.push(e.run === undefined ? "has no `run` function" : `has a \`run\` that is ${describe(e.run)}, not a function`);
  for (const key of ["title", "description"] as const) {
    if (e[key] !== undefined && typeof e[key] !== "string") problems.push(`has a \`${key}\` that is ${describe(e[key])}, not a string`);
  }
  if (e.inputSchema !== undefined) {
    if (typeof e.inputSchema !== "object" || e.inputSchema === null || Array.isArray(e.inputSchema)) {
      problems.push(`has an \`inputSchema\` that is ${describe(e.inputSchema)}, not a JSON Schema object`);
    } else {
      try {
        validatorFor(e.inputSchema);
      } catch (error) {
        problems.push(`has an invalid \`inputSchema\`: ${(error as Error).message}`);
      }
    }
  }
  return problems;
}

/**
 * Imports each plugin module (a path relative to `cwd`, an absolute path, or a package name;
 * .js, .mjs, .cjs and, under tsx, .ts) and returns its activities by name. Throws a PluginError
 * naming the module and the entry for anything wrong, and for a name defined twice.
 */
export async function loadPlugins(specifiers: string[], cwd: string = process.cwd()): Promise<Map<string, ActivityDefinition>> {
  const activities = new Map<string, ActivityDefinition>();
  const origin = new Map<string, string>();
  for (const specifier of specifiers) {
    const { url, shown } = resolveSpecifier(specifier, cwd);
    let namespace: Record<string, unknown>;
    try {
      namespace = (await import(url)) as Record<string, unknown>;
    } catch (error) {
      throw new PluginError(`cannot load activity module ${shown}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
    let list = namespace.default;
    // A CommonJS or transpiled module may wrap its default export once more.
    if (!Array.isArray(list) && typeof list === "object" && list !== null && Array.isArray((list as { default?: unknown }).default)) {
      list = (list as { default: unknown }).default;
    }
    if (!Array.isArray(list)) {
      throw new PluginError(
        list === undefined
          ? `activity module ${shown} has no default export: it must \`export default [ { name, run }, … ]\``
          : `activity module ${shown} exports ${describe(list)} by default, not an array of activities`,
      );
    }
    const problems: string[] = [];
    list.forEach((entry, index) => {
      const label = typeof (entry as { name?: unknown })?.name === "string" ? `activity ${index} ("${(entry as { name: string }).name}")` : `activity ${index}`;
      const own = entryProblems(entry);
      for (const p of own) problems.push(`${label} ${p}`);
      if (own.length > 0) return;
      const def = entry as ActivityDefinition;
      const first = origin.get(def.name);
      if (first !== undefined) {
        problems.push(
          first === shown
            ? `${label}: the name "${def.name}" is defined twice in this module`
            : `${label}: the name "${def.name}" is already defined by activity module ${first}`,
        );
        return;
      }
      origin.set(def.name, shown);
      activities.set(def.name, def);
    });
    if (problems.length > 0) {
      // One line: the command prints a user error's reason as one line.
      throw new PluginError(`activity module ${shown} is invalid: ${problems.join("; ")}`);
    }
  }
  return activities;
}
