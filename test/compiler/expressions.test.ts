// The expression checker, read as a specification: what an expression may say (and how it is
// printed for the generated module), what it may not (with the issue code and the fragment the
// author is shown), and the promises that hold for any input: no throw, one pass, same bytes.

import { describe, it, expect } from "vitest";
import { checkExpression, EXPRESSION_HELPERS, isExpression, RESERVED_NAMES, type CheckedExpression } from "../../compiler/expressions.ts";

const SCOPE: ReadonlySet<string> = new Set(["input", "workflow", "order"]);

function check(source: string, scope: ReadonlySet<string> = SCOPE): CheckedExpression {
  return checkExpression(source, scope);
}

/** The issues as "CODE fragment" lines, which read well in a failing assertion. */
function issuesOf(source: string, scope: ReadonlySet<string> = SCOPE): string[] {
  return check(source, scope).issues.map((issue) => `${issue.code} ${issue.fragment}`);
}

// ---------------------------------------------------------------------------------------------
// Running expressions, to show that printing keeps their meaning.

const SAMPLE: Record<string, unknown> = {
  input: { a: 2, b: "x", amount: 12500, items: [1, 2, 3], customer: { name: "Ann" }, vip: true, key: "k", values: [3, 9], s: "aaa" },
  order: { id: "o-1", total: 99.5 },
  workflow: { id: "wf", runId: "r1", startedAt: "2024-01-01T00:00:00.000Z", now: "2024-01-31T10:00:00.000Z" },
};

const HELPERS = {
  addDuration: (at: string, duration: string) => `${at}+${duration}`,
  startOfNextMonth: (at: string) => `next(${at})`,
};

/** Evaluates plain-JavaScript expression text with the sample variables; errors by name. */
function evaluate(text: string): string {
  const names = [...Object.keys(SAMPLE), ...Object.keys(HELPERS)];
  const values = [...Object.values(SAMPLE), ...Object.values(HELPERS)];
  try {
    const value = new Function(...names, `"use strict"; return (\n${text}\n);`)(...values);
    return JSON.stringify(value, (_key, v) => (v === undefined ? "#undefined" : typeof v === "number" && !Number.isFinite(v) ? `#${v}` : Object.is(v, -0) ? "#-0" : v)) ?? "#undefined";
  } catch (error) {
    return `#throws ${(error as Error).name}`;
  }
}

// ---------------------------------------------------------------------------------------------

describe("isExpression", () => {
  it("is true for strings that begin with '='", () => {
    expect(isExpression("=input.amount")).toBe(true);
    expect(isExpression("=")).toBe(true);
  });

  it("is false for other strings and for non-strings", () => {
    expect(isExpression("input.amount")).toBe(false);
    expect(isExpression(" =input")).toBe(false);
    expect(isExpression("")).toBe(false);
    expect(isExpression(null)).toBe(false);
    expect(isExpression(42)).toBe(false);
    expect(isExpression(["=x"])).toBe(false);
    expect(isExpression({ a: "=x" })).toBe(false);
  });
});

describe("EXPRESSION_HELPERS and RESERVED_NAMES", () => {
  it("lists the two date helpers", () => {
    expect(EXPRESSION_HELPERS).toEqual(["addDuration", "startOfNextMonth"]);
  });

  it("reserves the names an expression can never read as a variable", () => {
    for (const name of ["Math", "String", "Number", "Boolean", "addDuration", "startOfNextMonth", "undefined", "Date", "process", "globalThis", "JSON", "eval"]) {
      expect(RESERVED_NAMES).toContain(name);
    }
    expect(RESERVED_NAMES).not.toContain("input");
    expect(RESERVED_NAMES).not.toContain("workflow");
    expect([...RESERVED_NAMES].sort()).toEqual(RESERVED_NAMES);
  });
});

describe("accepted forms, with their printed code", () => {
  // [source, printed code, variables read, helpers called]
  const accepted: Array<[string, string, string[], string[]]> = [
    // literals
    [`"it's"`, `"it's"`, [], []],
    [`'single quotes'`, `"single quotes"`, [], []],
    [`'say "hi"'`, `"say \\"hi\\""`, [], []],
    [`42`, `42`, [], []],
    [`0x10`, `16`, [], []],
    [`1_000_000`, `1000000`, [], []],
    [`.5`, `0.5`, [], []],
    [`true`, `true`, [], []],
    [`false`, `false`, [], []],
    [`null`, `null`, [], []],
    [`undefined`, `undefined`, [], []],
    // template literals
    ["`plain text`", "`plain text`", [], []],
    ["`Total: ${input.amount} EUR`", "`Total: ${input.amount} EUR`", ["input"], []],
    ["`${order.id}-${workflow.runId}`", "`${order.id}-${workflow.runId}`", ["order", "workflow"], []],
    // identifiers and member access
    [`input`, `input`, ["input"], []],
    [`input.customer.name`, `input.customer.name`, ["input"], []],
    [`input["first name"]`, `input["first name"]`, ["input"], []],
    [`input.items[0]`, `input.items[0]`, ["input"], []],
    [`input.items[order.index]`, `input.items[order.index]`, ["input", "order"], []],
    [`input?.customer?.name`, `input?.customer?.name`, ["input"], []],
    [`input.items?.[0]`, `input.items?.[0]`, ["input"], []],
    // unary and arithmetic
    [`-input.amount`, `-input.amount`, ["input"], []],
    [`+input.amount`, `+input.amount`, ["input"], []],
    [`!input.vip`, `!input.vip`, ["input"], []],
    [`input.a * 2 - input.a / 4 % 3 + 2 ** 10`, `input.a * 2 - input.a / 4 % 3 + 2 ** 10`, ["input"], []],
    // comparison
    [`input.a < 1 || input.a <= 2 || input.a > 3 || input.a >= 4`, `input.a < 1 || input.a <= 2 || input.a > 3 || input.a >= 4`, ["input"], []],
    [`input.a == 1 && input.a != 2 && input.a === 3 && input.a !== 4`, `input.a == 1 && input.a != 2 && input.a === 3 && input.a !== 4`, ["input"], []],
    // logical
    [`input.vip && !input.blocked || order.rush`, `input.vip && !input.blocked || order.rush`, ["input", "order"], []],
    [`input.name ?? "unknown"`, `input.name ?? "unknown"`, ["input"], []],
    [`"vip" in input`, `"vip" in input`, ["input"], []],
    // conditional and parentheses
    [`input.amount > 10000 ? "big" : "small"`, `input.amount > 10000 ? "big" : "small"`, ["input"], []],
    [`(input.a + 1) * 2`, `(input.a + 1) * 2`, ["input"], []],
    [`((input.a))`, `input.a`, ["input"], []],
    // array literals
    [`[1, "two", input.three]`, `[1, "two", input.three]`, ["input"], []],
    [`[...input.items, 4]`, `[...input.items, 4]`, ["input"], []],
    [`[]`, `[]`, [], []],
    // object literals
    [`{ id: order.id, qty: 2 }`, `{ id: order.id, qty: 2 }`, ["order"], []],
    [`{ order }`, `{ order }`, ["order"], []],
    [`{ ...input, extra: true }`, `{ ...input, extra: true }`, ["input"], []],
    [`{ [input.key]: 1 }`, `{ [input.key]: 1 }`, ["input"], []],
    [`{ ["fixed"]: 1 }`, `{ ["fixed"]: 1 }`, [], []],
    [`{ "quoted key": 1, 2: "two" }`, `{ "quoted key": 1, 2: "two" }`, [], []],
    [`{}`, `{}`, [], []],
    // the whitelist
    [`Math.round(input.amount * 100) / 100`, `Math.round(input.amount * 100) / 100`, ["input"], []],
    [`Math.max(...input.values)`, `Math.max(...input.values)`, ["input"], []],
    [`Math.min(1, 2, 3)`, `Math.min(1, 2, 3)`, [], []],
    [`Math.pow(2, 8) + Math.atan2(1, 1)`, `Math.pow(2, 8) + Math.atan2(1, 1)`, [], []],
    [`Math.PI * 2 + Math.E`, `Math.PI * 2 + Math.E`, [], []],
    [`String(input.id)`, `String(input.id)`, ["input"], []],
    [`Number(input.qty)`, `Number(input.qty)`, ["input"], []],
    [`Boolean(input.flag)`, `Boolean(input.flag)`, ["input"], []],
    [`(String)(input.id)`, `(String)(input.id)`, ["input"], []],
    [`addDuration(workflow.now, "7d")`, `addDuration(workflow.now, "7d")`, ["workflow"], ["addDuration"]],
    [`startOfNextMonth(workflow.startedAt)`, `startOfNextMonth(workflow.startedAt)`, ["workflow"], ["startOfNextMonth"]],
    [
      `{ due: addDuration(startOfNextMonth(workflow.now), "P7D"), again: addDuration(workflow.now, "1d") }`,
      `{ due: addDuration(startOfNextMonth(workflow.now), "P7D"), again: addDuration(workflow.now, "1d") }`,
      ["workflow"],
      ["addDuration", "startOfNextMonth"],
    ],
  ];

  it.each(accepted)("accepts %s", (source, code, variables, helpers) => {
    const result = check(source);
    expect(result.issues).toEqual([]);
    expect(result.code).toBe(code);
    expect(result.variables).toEqual(variables);
    expect(result.helpers).toEqual(helpers);
  });

  it("accepts the expressions of the shared examples", () => {
    const examples = [
      "`Amount due: ${statement.total}`",
      "`Declined by ${decision.by}: ${decision.comment}`",
      "activity.actions > 0",
      "input.amount > 10000",
      "startOfNextMonth(workflow.now)",
      "workflow.startedAt",
    ];
    const scope = new Set(["input", "workflow", "statement", "decision", "activity"]);
    for (const source of examples) expect(check(source, scope).issues).toEqual([]);
  });
});

describe("rejected forms, each with its code and fragment", () => {
  // [source, one of the issues expected, as "CODE fragment"]
  const rejected: Array<[string, string]> = [
    // not one complete expression
    [``, `EXPR_SYNTAX `],
    [`   `, `EXPR_SYNTAX `],
    [`input.a +`, `EXPR_SYNTAX input.a +`],
    [`input.a input.b`, `EXPR_SYNTAX input.b`],
    [`input.a; input.b`, `EXPR_SYNTAX ; input.b`],
    [`input) + (input`, `EXPR_SYNTAX input) + (input`],
    [`input)`, `EXPR_SYNTAX input)`],
    [`(input`, `EXPR_SYNTAX (input`],
    [`"unterminated`, `EXPR_SYNTAX "unterminated`],
    [`010`, `EXPR_SYNTAX 010`],
    [`-input.a ** 2`, `EXPR_SYNTAX -input.a`],
    // grammar TypeScript checks only when type-checking, which the generated module would fail
    [`input.a ?? input.b || 1`, `EXPR_SYNTAX input.a ?? input.b || 1`],
    [`{ a: 1, a: 2 }`, `EXPR_SYNTAX a`],
    [`{ 1: "x", "1": "y" }`, `EXPR_SYNTAX "1"`],
    [`{ a = 1 }`, `EXPR_SYNTAX a = 1`],
    // new, assignment, update
    [`new Foo()`, `EXPR_FORBIDDEN_SYNTAX new Foo()`],
    [`input.a = 1`, `EXPR_FORBIDDEN_SYNTAX input.a = 1`],
    [`input.a += 1`, `EXPR_FORBIDDEN_SYNTAX input.a += 1`],
    [`input.a ??= 1`, `EXPR_FORBIDDEN_SYNTAX input.a ??= 1`],
    [`input.a++`, `EXPR_FORBIDDEN_SYNTAX input.a++`],
    [`--input.a`, `EXPR_FORBIDDEN_SYNTAX --input.a`],
    // operators outside the subset
    [`delete input.a`, `EXPR_FORBIDDEN_SYNTAX delete input.a`],
    [`void 0`, `EXPR_FORBIDDEN_SYNTAX void 0`],
    [`typeof input`, `EXPR_FORBIDDEN_SYNTAX typeof input`],
    [`await input`, `EXPR_FORBIDDEN_SYNTAX await input`],
    [`yield input`, `EXPR_FORBIDDEN_SYNTAX yield input`],
    [`input.a, input.b`, `EXPR_FORBIDDEN_SYNTAX input.a, input.b`],
    [`input.a | 1`, `EXPR_FORBIDDEN_SYNTAX input.a | 1`],
    [`~input.a`, `EXPR_FORBIDDEN_SYNTAX ~input.a`],
    [`input.a instanceof order`, `EXPR_FORBIDDEN_SYNTAX input.a instanceof order`],
    // functions, classes, odd literals
    [`function () { return 1 }`, `EXPR_FORBIDDEN_SYNTAX function () { return 1 }`],
    [`() => input`, `EXPR_FORBIDDEN_SYNTAX () => input`],
    [`class {}`, `EXPR_FORBIDDEN_SYNTAX class {}`],
    [`{ a() { return 1 } }`, `EXPR_FORBIDDEN_SYNTAX a() { return 1 }`],
    [`{ get a() { return 1 } }`, `EXPR_FORBIDDEN_SYNTAX get a() { return 1 }`],
    ["String.raw`x`", "EXPR_FORBIDDEN_SYNTAX String.raw`x`"],
    [`/a+/`, `EXPR_FORBIDDEN_SYNTAX /a+/`],
    [`10n`, `EXPR_FORBIDDEN_SYNTAX 10n`],
    [`[1, , 2]`, `EXPR_FORBIDDEN_SYNTAX [1, , 2]`],
    [`input.#secret`, `EXPR_FORBIDDEN_SYNTAX input.#secret`],
    // TypeScript-only syntax
    [`input as any`, `EXPR_FORBIDDEN_SYNTAX input as any`],
    [`input satisfies object`, `EXPR_FORBIDDEN_SYNTAX input satisfies object`],
    [`input!.a`, `EXPR_FORBIDDEN_SYNTAX input!`],
    [`<any>input`, `EXPR_FORBIDDEN_SYNTAX <any>input`],
    [`String<number>(1)`, `EXPR_FORBIDDEN_SYNTAX String<number>(1)`],
    // this, super, import
    [`this`, `EXPR_FORBIDDEN_NAME this`],
    [`this.amount`, `EXPR_FORBIDDEN_NAME this`],
    [`super.amount`, `EXPR_FORBIDDEN_NAME super`],
    [`import("fs")`, `EXPR_FORBIDDEN_NAME import("fs")`],
    [`import.meta.url`, `EXPR_FORBIDDEN_NAME import.meta`],
    // prototype property names, however they are written
    [`input.constructor`, `EXPR_FORBIDDEN_NAME input.constructor`],
    [`input.__proto__`, `EXPR_FORBIDDEN_NAME input.__proto__`],
    [`input.items.prototype`, `EXPR_FORBIDDEN_NAME input.items.prototype`],
    [`input?.constructor`, `EXPR_FORBIDDEN_NAME input?.constructor`],
    [`input["constructor"]`, `EXPR_FORBIDDEN_NAME input["constructor"]`],
    ["input[`__proto__`]", "EXPR_FORBIDDEN_NAME input[`__proto__`]"],
    [`input[("prototype")]`, `EXPR_FORBIDDEN_NAME input[("prototype")]`],
    [`{ constructor: 1 }`, `EXPR_FORBIDDEN_NAME constructor`],
    [`{ "__proto__": input }`, `EXPR_FORBIDDEN_NAME "__proto__"`],
    [`{ ["prototype"]: 1 }`, `EXPR_FORBIDDEN_NAME ["prototype"]`],
    [`{ constructor }`, `EXPR_FORBIDDEN_NAME constructor`],
    // globals
    [`globalThis`, `EXPR_FORBIDDEN_NAME globalThis`],
    [`window.location`, `EXPR_FORBIDDEN_NAME window`],
    [`global.process`, `EXPR_FORBIDDEN_NAME global`],
    [`self`, `EXPR_FORBIDDEN_NAME self`],
    [`require("fs")`, `EXPR_FORBIDDEN_NAME require`],
    [`process.env.SECRET`, `EXPR_FORBIDDEN_NAME process`],
    [`eval("1 + 1")`, `EXPR_FORBIDDEN_NAME eval`],
    [`Function("return 1")`, `EXPR_FORBIDDEN_NAME Function`],
    [`Reflect.ownKeys(input)`, `EXPR_FORBIDDEN_NAME Reflect`],
    [`new Proxy(input, {})`, `EXPR_FORBIDDEN_NAME Proxy`],
    [`Symbol.iterator`, `EXPR_FORBIDDEN_NAME Symbol`],
    [`JSON.stringify(input)`, `EXPR_FORBIDDEN_NAME JSON`],
    [`Object.keys(input)`, `EXPR_FORBIDDEN_NAME Object`],
    // Math outside Math.<member>, whitelisted functions not called
    [`Math`, `EXPR_FORBIDDEN_NAME Math`],
    [`Math.max`, `EXPR_FORBIDDEN_NAME Math.max`],
    [`Math["max"](1, 2)`, `EXPR_FORBIDDEN_NAME Math["max"]`],
    [`Math.SQRT3`, `EXPR_FORBIDDEN_NAME Math.SQRT3`],
    [`String`, `EXPR_FORBIDDEN_NAME String`],
    [`[addDuration]`, `EXPR_FORBIDDEN_NAME addDuration`],
    // unknown variables
    [`customer.name`, `EXPR_UNKNOWN_VARIABLE customer`],
    [`{ customer }`, `EXPR_UNKNOWN_VARIABLE customer`],
    ["`Hello ${name}`", `EXPR_UNKNOWN_VARIABLE name`],
    // calls outside the whitelist
    [`input.name.toUpperCase()`, `EXPR_FORBIDDEN_CALL input.name.toUpperCase()`],
    [`foo()`, `EXPR_FORBIDDEN_CALL foo()`],
    [`input()`, `EXPR_FORBIDDEN_CALL input()`],
    [`Math.foo(1)`, `EXPR_FORBIDDEN_CALL Math.foo(1)`],
    [`Math["max"](1, 2)`, `EXPR_FORBIDDEN_CALL Math["max"](1, 2)`],
    [`require("fs")`, `EXPR_FORBIDDEN_CALL require("fs")`],
    [`/a+/.test(input.s)`, `EXPR_FORBIDDEN_CALL /a+/.test(input.s)`],
    // whitelisted calls with the wrong arguments
    [`Math.abs(1, 2)`, `EXPR_ARGUMENTS Math.abs(1, 2)`],
    [`Math.pow(2)`, `EXPR_ARGUMENTS Math.pow(2)`],
    [`String(1, 2)`, `EXPR_ARGUMENTS String(1, 2)`],
    [`addDuration(workflow.now)`, `EXPR_ARGUMENTS addDuration(workflow.now)`],
    [`startOfNextMonth()`, `EXPR_ARGUMENTS startOfNextMonth()`],
    [`Math.abs(...input.values)`, `EXPR_ARGUMENTS Math.abs(...input.values)`],
    // randomness and the clock
    [`Math.random()`, `EXPR_NONDETERMINISTIC Math.random()`],
    [`Math.random`, `EXPR_NONDETERMINISTIC Math.random`],
    [`Date.now()`, `EXPR_NONDETERMINISTIC Date.now()`],
    [`new Date()`, `EXPR_NONDETERMINISTIC new Date()`],
    [`new Date(workflow.now).getTime()`, `EXPR_NONDETERMINISTIC new Date(workflow.now)`],
    [`Date`, `EXPR_NONDETERMINISTIC Date`],
    [`Date()`, `EXPR_NONDETERMINISTIC Date()`],
    [`crypto.randomUUID()`, `EXPR_NONDETERMINISTIC crypto.randomUUID()`],
    [`performance.now()`, `EXPR_NONDETERMINISTIC performance.now()`],
  ];

  it.each(rejected)("rejects %s", (source, issue) => {
    const result = check(source);
    expect(issuesOf(source)).toContain(issue);
    expect(result.code).toBe("");
    for (const each of result.issues) expect(each.message.length).toBeGreaterThan(10);
  });

  it("gives a syntax error a message that says what to do", () => {
    const [issue] = check("input.a +").issues;
    expect(issue.message).toMatch(/^Syntax error at character 10: Expression expected\./);
    expect(check("input.a; input.b").issues[0].message).toMatch(/Write one expression only/);
  });

  it("tells the author where randomness and time come from instead", () => {
    expect(check("Math.random()").issues[0].message).toMatch(/randomness must come from the engine/);
    expect(check("Date.now()").issues[0].message).toMatch(/workflow\.now/);
  });

  it("refuses nesting deeper than a fixed limit, the same way in every engine", () => {
    const deep = "(".repeat(200) + "input" + ")".repeat(200);
    expect(issuesOf(deep).map((line) => line.split(" ")[0])).toEqual(["EXPR_TOO_COMPLEX"]);
    const unclosed = "(".repeat(5000);
    expect(issuesOf(unclosed).map((line) => line.split(" ")[0])).toEqual(["EXPR_TOO_COMPLEX"]);
    const moderate = "(".repeat(50) + "input" + ")".repeat(50);
    expect(check(moderate).code).toBe("input");
  });

  it("cuts long fragments to 60 characters", () => {
    const long = `foo(${"input.a + ".repeat(20)}1)`;
    const [issue] = check(long).issues;
    expect(issue.code).toBe("EXPR_FORBIDDEN_CALL");
    expect(issue.fragment).toHaveLength(60);
    expect(issue.fragment.endsWith("...")).toBe(true);
  });
});

describe("scope", () => {
  it("reads variables only from the scope", () => {
    expect(check("order.id", new Set(["order"])).variables).toEqual(["order"]);
    expect(issuesOf("order.id", new Set(["input", "workflow"]))).toEqual(["EXPR_UNKNOWN_VARIABLE order"]);
  });

  it("names the variable that is missing on some path, and what is available", () => {
    const [issue] = check("order.id + 1", new Set(["input", "workflow"])).issues;
    expect(issue).toEqual({
      code: "EXPR_UNKNOWN_VARIABLE",
      fragment: "order",
      message: expect.stringMatching(/^"order" is not defined on every path to this node; .*available here: input, workflow/),
    });
  });

  it("needs nothing of the scope but has()", () => {
    const scope = { has: (name: string) => name === "input" } as unknown as ReadonlySet<string>;
    expect(check("input.a", scope).code).toBe("input.a");
    const [issue] = check("order.id", scope).issues;
    expect(issue.code).toBe("EXPR_UNKNOWN_VARIABLE");
    expect(issue.message).toMatch(/^"order" is not defined on every path to this node; /);
  });

  it("does not assume input or workflow", () => {
    expect(issuesOf("input.a + workflow.now", new Set())).toEqual(["EXPR_UNKNOWN_VARIABLE input", "EXPR_UNKNOWN_VARIABLE workflow"]);
  });

  it("lists each variable read once, sorted", () => {
    expect(check("workflow.now + input.a + order.b + input.c + `${order.d}`").variables).toEqual(["input", "order", "workflow"]);
  });

  it("does not count whitelisted names, constants or property names as variables", () => {
    const result = check("Math.max(input.a, 1) + String(undefined) + NaN + Infinity + { order: 1 }.order");
    expect(result.issues).toEqual([]);
    expect(result.variables).toEqual(["input"]);
  });

  it("keeps forbidden names forbidden even when the scope holds them", () => {
    const scope = new Set(["input", "process", "Date", "constructor"]);
    expect(issuesOf("process.env", scope)).toEqual(["EXPR_FORBIDDEN_NAME process"]);
    expect(issuesOf("Date", scope)).toEqual(["EXPR_NONDETERMINISTIC Date"]);
    expect(issuesOf("input.constructor", scope)).toEqual(["EXPR_FORBIDDEN_NAME input.constructor"]);
  });

  it("does not need the whitelist in scope", () => {
    expect(check("Math.floor(Number(String(Boolean(1))))", new Set()).issues).toEqual([]);
    expect(check(`addDuration(startOfNextMonth("2024-01-31T00:00:00Z"), "1d")`, new Set()).issues).toEqual([]);
  });
});

describe("the whitelist", () => {
  const MATH_FUNCTIONS_1 = ["abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cbrt", "ceil", "clz32", "cos", "cosh", "exp", "expm1", "floor", "fround", "log", "log10", "log1p", "log2", "round", "sign", "sin", "sinh", "sqrt", "tan", "tanh", "trunc"];
  const MATH_FUNCTIONS_2 = ["atan2", "imul", "pow"];
  const MATH_FUNCTIONS_N = ["hypot", "max", "min"];
  const MATH_CONSTANTS = ["E", "LN10", "LN2", "LOG10E", "LOG2E", "PI", "SQRT1_2", "SQRT2"];

  it.each(MATH_FUNCTIONS_1)("allows Math.%s(x)", (name) => {
    expect(check(`Math.${name}(input.a)`).code).toBe(`Math.${name}(input.a)`);
  });

  it.each(MATH_FUNCTIONS_2)("allows Math.%s(x, y)", (name) => {
    expect(check(`Math.${name}(input.a, 2)`).code).toBe(`Math.${name}(input.a, 2)`);
  });

  it.each(MATH_FUNCTIONS_N)("allows Math.%s with any number of arguments, spread too", (name) => {
    expect(check(`Math.${name}()`).issues).toEqual([]);
    expect(check(`Math.${name}(1, 2, 3, 4)`).issues).toEqual([]);
    expect(check(`Math.${name}(...input.values, 1)`).issues).toEqual([]);
  });

  it.each(MATH_CONSTANTS)("allows Math.%s as a value", (name) => {
    expect(check(`Math.${name}`).code).toBe(`Math.${name}`);
  });

  it("allows String, Number and Boolean with zero or one argument", () => {
    for (const name of ["String", "Number", "Boolean"]) {
      expect(check(`${name}()`).issues).toEqual([]);
      expect(check(`${name}(input.a)`).issues).toEqual([]);
    }
  });

  it("refuses other members of the whitelisted functions", () => {
    expect(issuesOf("String.fromCharCode(65)")).toContain("EXPR_FORBIDDEN_CALL String.fromCharCode(65)");
    expect(issuesOf("Number.parseFloat(input.s)")).toContain("EXPR_FORBIDDEN_CALL Number.parseFloat(input.s)");
  });

  it("reports helpers called, sorted and unique", () => {
    expect(check(`startOfNextMonth(addDuration(startOfNextMonth(workflow.now), "1d"))`).helpers).toEqual(["addDuration", "startOfNextMonth"]);
    expect(check("workflow.now").helpers).toEqual([]);
  });
});

describe("all issues at once", () => {
  it("collects every problem in one pass, in source order", () => {
    expect(issuesOf("new Foo(customer) + this.x + Math.random() + input.constructor + eval(1) + foo() + Date.now()")).toEqual([
      "EXPR_FORBIDDEN_SYNTAX new Foo(customer)",
      "EXPR_UNKNOWN_VARIABLE customer",
      "EXPR_FORBIDDEN_NAME this",
      "EXPR_NONDETERMINISTIC Math.random()",
      "EXPR_FORBIDDEN_NAME input.constructor",
      "EXPR_FORBIDDEN_CALL eval(1)",
      "EXPR_FORBIDDEN_NAME eval",
      "EXPR_FORBIDDEN_CALL foo()",
      "EXPR_NONDETERMINISTIC Date.now()",
    ]);
  });

  it("looks inside refused syntax for further problems", () => {
    expect(issuesOf("typeof customer")).toEqual(["EXPR_FORBIDDEN_SYNTAX typeof customer", "EXPR_UNKNOWN_VARIABLE customer"]);
    expect(issuesOf("input.a = customer")).toEqual(["EXPR_FORBIDDEN_SYNTAX input.a = customer", "EXPR_UNKNOWN_VARIABLE customer"]);
    expect(issuesOf("input.name.trim(customer)")).toEqual(["EXPR_FORBIDDEN_CALL input.name.trim(customer)", "EXPR_UNKNOWN_VARIABLE customer"]);
  });

  it("reports one missing variable once, however often it is read", () => {
    expect(issuesOf("customer.a + customer.b + customer.c")).toEqual(["EXPR_UNKNOWN_VARIABLE customer"]);
  });

  it("reports only the first syntax error, since later ones are the parser's guesses", () => {
    expect(check("a +* b ) ( ;").issues).toHaveLength(1);
  });
});

describe("printing", () => {
  it("gives the same bytes whatever the whitespace, comments, quotes and trailing commas", () => {
    const variants = [
      `{ id: order.id, tags: ["a", 'b'], total: input.a * 2, when: addDuration(workflow.now, "1d") }`,
      `{id:order.id,tags:['a',"b"],total:input.a*2,when:addDuration(workflow.now,'1d')}`,
      `{\n  id: order.id,\n  tags: [\n    "a",\n    "b",\n  ],\n  total: input.a   *   2,\n  when: addDuration(\n    workflow.now,\n    "1d",\n  ),\n}`,
      `( { id : order . id , /* the id */ tags : [ "a" , "b" ] , total : input.a * 2 , // doubled\n when : addDuration ( workflow.now , "1d" ) } )`,
      `\t{ id: order.id, tags: ["a", "b"], total: input.a * 2, when: addDuration(workflow.now, "1d") }\r\n`,
    ];
    const codes = variants.map((source) => check(source).code);
    expect(codes[0]).toBe(`{ id: order.id, tags: ["a", "b"], total: input.a * 2, when: addDuration(workflow.now, "1d") }`);
    expect(new Set(codes).size).toBe(1);
  });

  it("prints on one line, escaping line breaks inside strings and templates", () => {
    // A raw CR LF inside a template literal means "\n" (the language normalizes it).
    const result = check("`line one\nline two ${input.a}\r\n\\r` + 'a\\u2028b'");
    expect(result.code).toBe("`line one\\nline two ${input.a}\\n\\r` + \"a\\u2028b\"");
    expect(result.code).not.toMatch(/[\n\r\u2028\u2029]/);
  });

  it("keeps non-ASCII text readable", () => {
    expect(check(`"Bestellung für ${"€"} 😀"`).code).toBe(`"Bestellung für € 😀"`);
    expect(check("`Grüße ${input.b}`").code).toBe("`Grüße ${input.b}`");
  });

  it("escapes lone surrogates, which a UTF-8 file cannot hold", () => {
    expect(check('"x\\uD800"').code).toBe('"x\\uD800"');
    expect(check("`x\\uDC00`").code).toBe("`x\\uDC00`");
  });

  it("keeps escapes that template literals need", () => {
    expect(check("`a\\`b\\${c}\\\\d`").code).toBe("`a\\`b\\${c}\\\\d`");
  });

  it("is idempotent: checking the printed code prints it again", () => {
    for (const source of [`{ "a": 'x', b: [1,2,], c: \`\${input.a}\n\` }`, `input?.items?.[0] ?? -1`, `1e400`, `0x10.toString`]) {
      const first = check(source);
      if (first.code === "") continue;
      expect(check(first.code).code).toBe(first.code);
    }
  });

  it("keeps the source's meaning", () => {
    const sources = [
      `input.a * 2 - input.a / 4 % 3 + 2 ** 10`,
      // 'it\'s' + "\x41\u{1F600}\0" + `\u0041${input.b}\n\t\${`
      String.raw`'it\'s' + "\x41\u{1F600}\0" + ` + "`\\u0041${input.b}\\n\\t\\${`",
      "`$${input.a}` + `\\${x}` + `a\\`b`",
      `0x10 + 0o17 + 0b101 + 1_000 + .5 + 1e21 + 1e400`,
      `(1e400).toString + 1..toString + 0x10.toString`,
      `{ ...input, items: [...input.items, 4], [input.key]: order?.id, "x y": 1, 2: 3 }`,
      `input.amount > 10000 ? "big" : input.amount > 100 ? "medium" : "small"`,
      `(input.a ?? 0) + (order.missing ?? "none")`,
      `-(-input.a) + +"3" + !!input.vip`,
      `Math.round(Math.max(...input.values) * Math.PI)`,
      `String(input.a) + Number("4") + Boolean("")`,
      `addDuration(startOfNextMonth(workflow.now), "7d")`,
      `"a" in input && !("z" in order)`,
      `[1, 2, 3,]`,
      `{ a: 1, }`,
    ];
    for (const source of sources) {
      const result = check(source);
      expect(result.issues).toEqual([]);
      expect(evaluate(result.code)).toBe(evaluate(source));
    }
  });

  it("drops redundant outer parentheses but keeps inner ones", () => {
    expect(check("(((input.a + 1)))").code).toBe("input.a + 1");
    expect(check("((input.a + 1)) * 2").code).toBe("(input.a + 1) * 2");
    expect(check("input.a - (input.b - 1)").code).toBe("input.a - (input.b - 1)");
    expect(check("({ a: 1 })").code).toBe("{ a: 1 }");
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzing: random expressions from grammar pieces, some of them mangled.

/** mulberry32: a small seeded PRNG, so every run checks the same strings. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ATOMS = [
  "input", "input.a", "input.items", "input.customer?.name", "order", "order.id", "workflow.now", "1", "0", "2.5", "0x1F", `"x"`, `'y'`, "`t${input.a}`", "``",
  "null", "true", "false", "undefined", "NaN", "foo", "this", "Math.PI", "Math.random()", "Date.now()", "[1, 2]", "{ a: 1 }", "new X()", "x => x",
  "input.constructor", `input["__proto__"]`, "globalThis", "process", "/re/", "10n", "import.meta", "super.x", "typeof input", "input!", "input as any",
];
const BINARY = ["+", "-", "*", "/", "%", "**", "<", "<=", ">", ">=", "==", "!=", "===", "!==", "&&", "||", "??", "in", ",", "=", "+=", "instanceof", "&", "|", "^", "<<"];
const UNARY = ["!", "-", "+", "~", "typeof ", "void ", "delete ", "++", "await "];
const ACCESS = [".a", "?.b", "[0]", "?.[1]", `["k"]`, ".constructor", "()", "!", "?.()"];
const CALLEES = ["Math.max", "Math.abs", "String", "Number", "Boolean", "addDuration", "startOfNextMonth", "foo", "input.f", "Math.random", "eval", "Date"];
const KEYS = ["a", `"b"`, "1", "[input.k]", "__proto__", "...input", "c = 1", "get d() { return 1 }"];
const NOISE = ["(", ")", "[", "]", "{", "}", ";", `"`, "'", "`", "${", "\\", "/", "*", "#", "=", ".", "?", ":", ",", " ", "\n", "<", ">", "@", "\u2028", "\uD800"];

function generate(random: () => number, depth: number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  if (depth <= 0 || random() < 0.25) return pick(ATOMS);
  const sub = () => generate(random, depth - 1);
  switch (Math.floor(random() * 9)) {
    case 0:
      return `${sub()} ${pick(BINARY)} ${sub()}`;
    case 1:
      return `${pick(UNARY)}${sub()}`;
    case 2:
      return `(${sub()})`;
    case 3:
      return `${sub()}${pick(ACCESS)}`;
    case 4:
      return `${sub()} ? ${sub()} : ${sub()}`;
    case 5:
      return `${pick(CALLEES)}(${sub()}, ${sub()})`;
    case 6:
      return `[${sub()}, ...${sub()}]`;
    case 7: {
      const key = pick(KEYS);
      return key.startsWith("...") || key.includes("=") || key.startsWith("get") ? `{ ${key} }` : `{ ${key}: ${sub()} }`;
    }
    default:
      return "`a${" + sub() + "}b`";
  }
}

/** Inserts, deletes or replaces a few characters, to make near-misses and garbage. */
function mangle(random: () => number, source: string): string {
  let text = source;
  const edits = Math.floor(random() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (text.length + 1));
    const piece = NOISE[Math.floor(random() * NOISE.length)];
    const kind = random();
    if (kind < 0.4) text = text.slice(0, at) + piece + text.slice(at);
    else if (kind < 0.7) text = text.slice(0, at) + text.slice(at + 1);
    else text = text.slice(0, at) + piece + text.slice(at + 1);
  }
  return text;
}

describe("never throws, whatever the input", () => {
  const random = prng(20240531);
  const sources: string[] = [];
  for (let i = 0; i < 600; i++) {
    const source = generate(random, 4);
    sources.push(random() < 0.4 ? mangle(random, source) : source);
  }
  sources.push("", " ", "=", "(", ")", "{", "}", "`", "${", "\\", "\u0000", "\uD800", "#!x", "<", "</a>", "<a/>", "@dec x", "a\u2028b", "1".repeat(1000), "x".repeat(10000));

  it("answers every string with a well-formed result, the same twice", () => {
    let accepted = 0;
    for (const source of sources) {
      let result: CheckedExpression | undefined;
      expect(() => (result = check(source)), source).not.toThrow();
      const checked = result!;
      expect(checked.issues.length === 0, source).toBe(checked.code !== "");
      for (const issue of checked.issues) {
        expect(issue.code, source).toMatch(/^EXPR_[A-Z_]+$/);
        expect(typeof issue.fragment).toBe("string");
        expect(Array.from(issue.fragment).length).toBeLessThanOrEqual(60);
        expect(issue.message.length).toBeGreaterThan(10);
      }
      expect(checked.variables.every((name) => SCOPE.has(name)), source).toBe(true);
      expect(check(source), source).toEqual(checked);
      if (checked.code !== "") accepted++;
    }
    // The grammar pieces produce both sides, so both are exercised.
    expect(accepted).toBeGreaterThan(50);
    expect(sources.length - accepted).toBeGreaterThan(200);
  });

  it("prints accepted inputs on one line, idempotently, with the same meaning", () => {
    for (const source of sources) {
      const result = check(source);
      if (result.code === "") continue;
      expect(result.code, source).not.toMatch(/[\n\r\u2028\u2029]/);
      const again = check(result.code);
      expect(again.code, source).toBe(result.code);
      expect(again.variables, source).toEqual(result.variables);
      expect(again.helpers, source).toEqual(result.helpers);
      expect(evaluate(result.code), source).toBe(evaluate(source));
    }
  });

  it("survives non-string input from untyped callers", () => {
    for (const value of [undefined, null, 42, {}, ["x"]]) {
      const result = checkExpression(value as unknown as string, SCOPE);
      expect(result.code).toBe("");
      expect(result.issues[0].code).toBe("EXPR_SYNTAX");
    }
  });
});

describe("workflow's members", () => {
  const scope = new Set(["input", "workflow"]);
  it("are id, runId, startedAt and now", () => {
    for (const m of ["id", "runId", "startedAt", "now"]) expect(checkExpression(`workflow.${m}`, scope).issues).toEqual([]);
    expect(checkExpression('workflow["now"]', scope).issues).toEqual([]);
  });
  it("and nothing else, named in the error", () => {
    const r = checkExpression("workflow.total + 1", scope);
    expect(r.issues).toEqual([expect.objectContaining({ code: "EXPR_UNKNOWN_VARIABLE", fragment: "workflow.total" })]);
    expect(r.issues[0].message).toMatch(/workflow has no "total"/);
    expect(checkExpression("workflow[input.key]", scope).issues[0]).toMatchObject({ code: "EXPR_UNKNOWN_VARIABLE" });
  });
});
