// Names in generated code: node ids become readable identifiers, and nothing the generator
// invents may shadow a variable of the drawing.

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}

/** "notify-declined" → "notifyDeclined", "order-item" → "orderItem", "3ds" → "_3ds". */
export function camelCase(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join("");
  if (name === "") return "_";
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** Hands out names that collide neither with the drawing's variables nor with each other. */
export class NameAllocator {
  private readonly taken: Set<string>;
  constructor(taken: Iterable<string>) {
    this.taken = new Set(taken);
  }
  take(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.taken.has(name); i++) name = `${wanted}${i}`;
    this.taken.add(name);
    return name;
  }
}

/** A property key as it is written in an object literal. */
export function propertyKey(key: string): string {
  return isIdentifier(key) ? key : JSON.stringify(key);
}
