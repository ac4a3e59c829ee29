// The expression checker. A value string that begins with "=" is an expression (DESIGN.md,
// "Values" and "Expressions"): a safe, deterministic subset of TypeScript expression syntax.
// This module decides whether a source string is inside that subset, lists the variables and
// helpers it uses, and re-prints it as normalized TypeScript for the code generator.
//
// It parses with TypeScript's own parser, so "valid" means exactly what the generated module
// will mean, and walks the tree against an allow-list: every node kind not named below is
// rejected. It is pure (no Node built-ins, no engine or app imports) because the designer runs
// it in the browser too, and deterministic: the same source and scope always give the same
// issues, in the same order, and the same printed bytes.
//
// Issue codes (stable; tests and the designer rely on them):
//   EXPR_SYNTAX            not one complete expression: a parse error (empty, trailing garbage,
//                          two statements, unbalanced parentheses), or a grammar error that
//                          TypeScript reports only when type-checking and that would break the
//                          generated module ('??' mixed with '||', a duplicate object key,
//                          `{ a = 1 }`).
//   EXPR_TOO_COMPLEX       nested deeper than MAX_DEPTH, or too deep to parse at all (a fixed
//                          limit, so the answer does not depend on the engine's stack size).
//   EXPR_FORBIDDEN_SYNTAX  valid TypeScript outside the subset: `new`, assignment, `++`/`--`,
//                          `delete`/`void`/`typeof`/`await`/`yield`, functions, classes, tagged
//                          templates, the comma operator, regular expressions, bitwise
//                          operators, `instanceof`, bigint literals, array holes, getters and
//                          methods, private names, and TypeScript-only syntax (`as`,
//                          `satisfies`, `!`, `<T>x`, type arguments).
//   EXPR_FORBIDDEN_NAME    a name that must not be reached: `this`, `super`, `import`,
//                          globals such as `globalThis`, `process`, `require`, `eval`,
//                          `Function`, `Reflect`, `JSON`; the property names `constructor`,
//                          `__proto__`, `prototype`; `Math` other than as `Math.<member>`; a
//                          whitelisted function used without being called.
//   EXPR_UNKNOWN_VARIABLE  an identifier that is not in scope (not defined on every path).
//   EXPR_FORBIDDEN_CALL    a call to anything but the whitelist.
//   EXPR_ARGUMENTS         a whitelisted call with the wrong number of arguments, or a spread
//                          argument where the function takes fixed parameters.
//   EXPR_NONDETERMINISTIC  randomness or the clock: `Math.random`, `Date`, `performance`,
//                          `crypto`.
//   EXPR_INTERNAL          the checker itself failed (a bug); never expected.

import ts from "typescript";

export interface ExpressionIssue {
  code: string;
  fragment: string;
  message: string;
}

export interface CheckedExpression {
  /** Empty when the expression is valid. */
  issues: ExpressionIssue[];
  /**
   * The expression re-printed as one line of TypeScript, "" when there are issues. It is a
   * complete expression without a top-level comma, fit for a call argument, an initializer,
   * an object literal value or an `if (...)` condition; wrap it in parentheses to use it as an
   * operand. An object literal comes out bare (`{ a: 1 }`).
   */
  code: string;
  /** Free root identifiers read, from `scope`, sorted and unique. */
  variables: string[];
  /** Date helpers called, sorted and unique (a subset of EXPRESSION_HELPERS). */
  helpers: string[];
}

/** The pure date helpers an expression may call; the engine provides them (ExpressionHelpers). */
export const EXPRESSION_HELPERS: readonly string[] = ["addDuration", "startOfNextMonth"];

/** A value string that is an expression (begins with "="); the expression is the rest. */
export function isExpression(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("=");
}

// ---------------------------------------------------------------------------------------------
// The allow-lists and deny-lists.

/** How many arguments a whitelisted function takes; `rest` functions accept spread arguments. */
interface Arity {
  min: number;
  max: number;
  rest: boolean;
}

const ONE: Arity = { min: 1, max: 1, rest: false };
const TWO: Arity = { min: 2, max: 2, rest: false };
const ANY: Arity = { min: 0, max: Infinity, rest: true };
/** String(), Number(), Boolean(): TypeScript's lib allows zero or one argument. */
const CONVERSION: Arity = { min: 0, max: 1, rest: false };

/** The numeric Math functions, with the arity of TypeScript's lib signatures. */
const MATH_FUNCTIONS: ReadonlyMap<string, Arity> = new Map<string, Arity>([
  ...["abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cbrt", "ceil", "clz32", "cos", "cosh", "exp", "expm1", "floor", "fround", "log", "log10", "log1p", "log2", "round", "sign", "sin", "sinh", "sqrt", "tan", "tanh", "trunc"].map(
    (name): [string, Arity] => [name, ONE],
  ),
  ...["atan2", "imul", "pow"].map((name): [string, Arity] => [name, TWO]),
  ...["hypot", "max", "min"].map((name): [string, Arity] => [name, ANY]),
]);

/** What expressions may read of `workflow` (WorkflowInfo in engine/runtime/workflow-api.ts). */
const WORKFLOW_MEMBERS = new Set(["id", "runId", "startedAt", "now"]);

const MATH_CONSTANTS: ReadonlySet<string> = new Set(["E", "LN10", "LN2", "LOG10E", "LOG2E", "PI", "SQRT1_2", "SQRT2"]);

/** Functions callable by bare name, always, whatever the scope holds. */
const CALLABLE_NAMES: ReadonlyMap<string, Arity> = new Map<string, Arity>([
  ["String", CONVERSION],
  ["Number", CONVERSION],
  ["Boolean", CONVERSION],
  ["addDuration", TWO],
  ["startOfNextMonth", ONE],
]);

/** Global values that are plain constants, readable anywhere and not variables. */
const CONSTANT_NAMES: ReadonlySet<string> = new Set(["undefined", "NaN", "Infinity"]);

/** Sources of randomness or of the wall clock: replay would see different values. */
const NONDETERMINISTIC_NAMES: ReadonlySet<string> = new Set(["Date", "performance", "crypto"]);

/** Property names that reach an object's prototype machinery. */
const FORBIDDEN_PROPERTY_NAMES: ReadonlySet<string> = new Set(["constructor", "__proto__", "prototype"]);

/** Names that must never be read, grouped by why, for the message. */
const FORBIDDEN_NAME_GROUPS: ReadonlyArray<{ names: readonly string[]; why: string }> = [
  {
    names: ["globalThis", "window", "global", "self", "document", "navigator", "location", "top", "parent", "frames"],
    why: "reaches the global object, which workflow code must not touch",
  },
  {
    names: ["require", "module", "exports", "eval", "Function", "importScripts", "__dirname", "__filename"],
    why: "loads or runs code",
  },
  {
    names: ["process", "Deno", "Bun", "Buffer", "console", "fetch", "XMLHttpRequest", "WebSocket", "localStorage", "sessionStorage", "indexedDB", "setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "queueMicrotask", "structuredClone"],
    why: "does I/O or schedules work outside the engine; do that in an activity",
  },
  {
    names: ["Reflect", "Proxy", "Symbol", "Object", "constructor", "__proto__", "prototype", "arguments"],
    why: "reaches reflection or prototypes",
  },
  {
    names: ["JSON", "Array", "Promise", "RegExp", "Error", "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "BigInt", "Intl", "Atomics", "SharedArrayBuffer", "ArrayBuffer", "DataView", "WebAssembly", "parseInt", "parseFloat", "isNaN", "isFinite", "encodeURI", "encodeURIComponent", "decodeURI", "decodeURIComponent", "escape", "unescape"],
    why: "is a JavaScript global that expressions cannot use",
  },
  { names: ["yield", "await"], why: "is a reserved word" },
];

const FORBIDDEN_NAMES: ReadonlyMap<string, string> = new Map(FORBIDDEN_NAME_GROUPS.flatMap(({ names, why }) => names.map((name): [string, string] => [name, why])));

/**
 * Every name an expression can never read as a variable: whitelisted functions, constants,
 * `Math`, and the forbidden and nondeterministic globals. Document validation should refuse
 * these as `output` variable names, since an expression could not read them.
 */
export const RESERVED_NAMES: readonly string[] = [...new Set(["Math", ...CALLABLE_NAMES.keys(), ...CONSTANT_NAMES, ...NONDETERMINISTIC_NAMES, ...FORBIDDEN_NAMES.keys()])].sort();

/**
 * Deeper trees are refused before they are walked. The limit is far above any expression a
 * person writes, and far below the depth at which TypeScript's parser exhausts a stack (about
 * 780 nested parentheses in Node), so the outcome is the same in every browser and in Node.
 */
const MAX_DEPTH = 128;

/** Fragments longer than this are cut, so messages stay readable. */
const MAX_FRAGMENT = 60;

// ---------------------------------------------------------------------------------------------
// Entry point.

export function checkExpression(source: string, scope: ReadonlySet<string>): CheckedExpression {
  try {
    return checkParsed(source, scope);
  } catch (error) {
    // A checker must answer, not throw. The parser recurses, so a pathological input may
    // exhaust the stack before MAX_DEPTH is checked (V8 throws RangeError, Firefox
    // InternalError); anything else would be a bug here, reported as such.
    const text = typeof source === "string" ? source : "";
    if (isStackOverflow(error)) return failed([tooComplexIssue(text)]);
    return failed([{ code: "EXPR_INTERNAL", fragment: cut(text), message: `The expression checker failed (${String(error)}). Please report this; meanwhile simplify the expression.` }]);
  }
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError || (error instanceof Error && error.name === "InternalError");
}

function checkParsed(source: string, scope: ReadonlySet<string>): CheckedExpression {
  if (typeof source !== "string") {
    return failed([{ code: "EXPR_SYNTAX", fragment: "", message: "An expression must be a string." }]);
  }
  const parsed = parse(source);
  if (treeDepth(parsed.file) > MAX_DEPTH) return failed([tooComplexIssue(source)]);
  if (parsed.expression === undefined) return failed(parsed.issues);

  const walker = new Walker(parsed.file, scope);
  walker.visit(parsed.expression);
  const result = {
    issues: walker.issues,
    code: "",
    variables: [...walker.variables].sort(),
    helpers: [...walker.helpers].sort(),
  };
  if (result.issues.length === 0) result.code = print(parsed.expression, parsed.file);
  return result;
}

function failed(issues: ExpressionIssue[]): CheckedExpression {
  return { issues, code: "", variables: [], helpers: [] };
}

function tooComplexIssue(source: string): ExpressionIssue {
  return { code: "EXPR_TOO_COMPLEX", fragment: cut(source), message: `This expression is nested more than ${MAX_DEPTH} levels deep. Simplify it, or compute parts of it in earlier nodes.` };
}

// ---------------------------------------------------------------------------------------------
// Parsing: one expression, or syntax issues.

interface Parsed {
  file: ts.SourceFile;
  /** The user's expression, outer parentheses removed; undefined when there are issues. */
  expression: ts.Expression | undefined;
  issues: ExpressionIssue[];
}

/**
 * Parses `(source)` as a TypeScript file. The wrapping parentheses make an object literal an
 * expression rather than a block; the newline before the closing one ends a trailing `//`
 * comment. The parse is one expression exactly when the file is one statement whose expression
 * is a parenthesized expression spanning the whole text: `a) + (b` parses cleanly as two
 * parenthesized expressions and is caught by that rule.
 */
function parse(source: string): Parsed {
  const text = `(${source}\n)`;
  const file = ts.createSourceFile("expression.ts", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  // Only the first parse error: after it the parser's recovery guesses, and its later errors
  // mostly describe the parentheses added here rather than anything the author wrote.
  const issues = parseDiagnostics(file)
    .slice(0, 1)
    .map((diagnostic) => syntaxIssue(source, diagnostic));
  const statement = file.statements.length === 1 ? file.statements[0] : undefined;
  const wrapper = statement && ts.isExpressionStatement(statement) ? statement.expression : undefined;
  const whole = wrapper !== undefined && ts.isParenthesizedExpression(wrapper) && wrapper.getStart(file) === 0 && wrapper.end === text.length;
  if (issues.length === 0 && !whole) {
    issues.push({ code: "EXPR_SYNTAX", fragment: cut(source), message: "The parentheses in this expression do not balance. Write one complete expression after \"=\"." });
  }
  if (issues.length > 0 || !whole) return { file, expression: undefined, issues };
  // Redundant outer parentheses carry no meaning here (the comma operator is refused), and
  // dropping them makes `(a)` and `a` print the same.
  let expression = wrapper.expression;
  while (ts.isParenthesizedExpression(expression)) expression = expression.expression;
  return { file, expression, issues };
}

/**
 * The parser's diagnostics. `parseDiagnostics` is not in TypeScript's public typings, but it is
 * what `program.getSyntacticDiagnostics` returns for a file, without needing a program (and its
 * host) in the browser.
 */
function parseDiagnostics(file: ts.SourceFile): readonly ts.DiagnosticWithLocation[] {
  const diagnostics = (file as unknown as { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics;
  return Array.isArray(diagnostics) ? diagnostics : [];
}

/** A parse diagnostic, with its position mapped back from the wrapped text to the source. */
function syntaxIssue(source: string, diagnostic: ts.DiagnosticWithLocation): ExpressionIssue {
  const start = Math.min(Math.max(diagnostic.start - 1, 0), source.length);
  const end = Math.min(Math.max(diagnostic.start + diagnostic.length - 1, start), source.length);
  const spanned = source.slice(start, end).trim();
  const at = `Syntax error at character ${start + 1}:`;
  const what = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
  if (diagnostic.code === MISSING_TOKEN && what === "')' expected." && start < source.length) {
    // The author's text goes on after a complete expression (`a; b`, `a b`): the parser wanted
    // the closing parenthesis added here, which the author never sees.
    return { code: "EXPR_SYNTAX", fragment: cut(source.slice(start)), message: `${at} unexpected text after the end of the expression. Write one expression only, with an operator between values.` };
  }
  if (diagnostic.code === STATEMENT_EXPECTED && start >= source.length) {
    return { code: "EXPR_SYNTAX", fragment: cut(source), message: `${at} the parentheses do not balance; remove the extra ")".` };
  }
  return { code: "EXPR_SYNTAX", fragment: cut(spanned === "" ? source : spanned), message: `${at} ${what} Write one complete expression after "=".` };
}

/** TypeScript diagnostic codes given their own wording above. */
const MISSING_TOKEN = 1005;
const STATEMENT_EXPECTED = 1128;

/** The depth of the tree, counted without recursion (see MAX_DEPTH). */
function treeDepth(root: ts.Node): number {
  let deepest = 0;
  const stack: Array<[ts.Node, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (deepest > MAX_DEPTH) return deepest;
    ts.forEachChild(node, (child) => {
      stack.push([child, depth + 1]);
    });
  }
  return deepest;
}

// ---------------------------------------------------------------------------------------------
// The walk: every node kind is accepted explicitly or refused.

class Walker {
  readonly issues: ExpressionIssue[] = [];
  readonly variables = new Set<string>();
  readonly helpers = new Set<string>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly file: ts.SourceFile,
    private readonly scope: ReadonlySet<string>,
  ) {}

  visit(node: ts.Node): void {
    switch (node.kind) {
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NumericLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.TrueKeyword:
      case ts.SyntaxKind.FalseKeyword:
      case ts.SyntaxKind.NullKeyword:
        return;
      case ts.SyntaxKind.Identifier:
        return this.visitIdentifier(node as ts.Identifier);
      case ts.SyntaxKind.TemplateExpression:
        return (node as ts.TemplateExpression).templateSpans.forEach((span) => this.visit(span.expression));
      case ts.SyntaxKind.ParenthesizedExpression:
        return this.visit((node as ts.ParenthesizedExpression).expression);
      case ts.SyntaxKind.PropertyAccessExpression:
        return this.visitPropertyAccess(node as ts.PropertyAccessExpression);
      case ts.SyntaxKind.ElementAccessExpression:
        return this.visitElementAccess(node as ts.ElementAccessExpression);
      case ts.SyntaxKind.PrefixUnaryExpression:
        return this.visitPrefixUnary(node as ts.PrefixUnaryExpression);
      case ts.SyntaxKind.PostfixUnaryExpression:
        return this.forbid(node, `"${ts.tokenToString((node as ts.PostfixUnaryExpression).operator)}" changes a variable; expressions cannot. Write the new value, e.g. "x + 1".`);
      case ts.SyntaxKind.BinaryExpression:
        return this.visitBinary(node as ts.BinaryExpression);
      case ts.SyntaxKind.ConditionalExpression: {
        const conditional = node as ts.ConditionalExpression;
        return [conditional.condition, conditional.whenTrue, conditional.whenFalse].forEach((part) => this.visit(part));
      }
      case ts.SyntaxKind.ArrayLiteralExpression:
        return (node as ts.ArrayLiteralExpression).elements.forEach((element) => this.visitElement(element));
      case ts.SyntaxKind.ObjectLiteralExpression:
        return this.visitObjectLiteral(node as ts.ObjectLiteralExpression);
      case ts.SyntaxKind.CallExpression:
        return this.visitCall(node as ts.CallExpression);
      case ts.SyntaxKind.NewExpression:
        return this.visitNew(node as ts.NewExpression);
      default:
        return this.refuse(node);
    }
  }

  // -- identifiers and names

  private visitIdentifier(identifier: ts.Identifier): void {
    const name = identifier.text;
    if (CONSTANT_NAMES.has(name)) return;
    if (name === "Math") {
      return this.report("EXPR_FORBIDDEN_NAME", identifier, `Math can only be used as Math.<member>, e.g. Math.round(x) or Math.PI.`);
    }
    if (CALLABLE_NAMES.has(name)) {
      return this.report("EXPR_FORBIDDEN_NAME", identifier, `${name} can only be called, as ${name}(...).`);
    }
    if (this.checkGlobalName(identifier, name)) return;
    if (this.scope.has(name)) {
      this.variables.add(name);
      return;
    }
    this.report("EXPR_UNKNOWN_VARIABLE", identifier, `"${name}" is not defined on every path to this node; ${this.scopeHint()}`);
  }

  /** Reports a nondeterministic or forbidden global; true when it was one. */
  private checkGlobalName(node: ts.Node, name: string): boolean {
    if (NONDETERMINISTIC_NAMES.has(name)) {
      this.report("EXPR_NONDETERMINISTIC", node, nondeterministicMessage(name));
      return true;
    }
    const why = FORBIDDEN_NAMES.get(name);
    if (why !== undefined) {
      this.report("EXPR_FORBIDDEN_NAME", node, `"${name}" ${why}; use input, workflow or an earlier node's output instead.`);
      return true;
    }
    return false;
  }

  private scopeHint(): string {
    const advice = "use a variable defined before this node on every path, or give the node that produces it an output";
    // Only `has` is required of the scope; a plain Set can also say what is available.
    const iterable = typeof (this.scope as Partial<Iterable<string>>)[Symbol.iterator] === "function";
    if (!iterable) return `${advice}.`;
    const names = [...this.scope].sort();
    return `${advice} (${names.length > 0 ? `available here: ${names.join(", ")}` : "no variables are available here"}).`;
  }

  /** A property name that is a literal (`.x`, `["x"]`, `` [`x`] ``, a key): refuses prototype names. */
  private checkPropertyName(name: string, fragmentNode: ts.Node): boolean {
    if (!FORBIDDEN_PROPERTY_NAMES.has(name)) return true;
    this.report("EXPR_FORBIDDEN_NAME", fragmentNode, `The property "${name}" reaches an object's prototype and is not allowed; use a different property name.`);
    return false;
  }

  // -- member access

  private visitPropertyAccess(access: ts.PropertyAccessExpression): void {
    if (ts.isPrivateIdentifier(access.name)) {
      return this.forbid(access, "Private names (#x) exist only inside classes; use an ordinary property name.");
    }
    if (isIdentifierNamed(access.expression, "Math")) return this.visitMathMember(access);
    if (isIdentifierNamed(access.expression, "workflow") && !WORKFLOW_MEMBERS.has(access.name.text)) {
      this.report(
        "EXPR_UNKNOWN_VARIABLE",
        access,
        `workflow has no "${access.name.text}"; it has ${[...WORKFLOW_MEMBERS].map((m) => `workflow.${m}`).join(", ")}.`,
      );
      return;
    }
    this.checkPropertyName(access.name.text, access);
    this.visit(access.expression);
  }

  /** `Math.<member>` outside a call: constants only. */
  private visitMathMember(access: ts.PropertyAccessExpression): void {
    const member = access.name.text;
    if (MATH_CONSTANTS.has(member)) return;
    if (member === "random") return this.report("EXPR_NONDETERMINISTIC", access, nondeterministicMessage("Math.random"));
    if (MATH_FUNCTIONS.has(member)) {
      return this.report("EXPR_FORBIDDEN_NAME", access, `Math.${member} can only be called, as Math.${member}(...).`);
    }
    this.report("EXPR_FORBIDDEN_NAME", access, `Math.${member} is not an allowed Math member; use a numeric function such as Math.round or a constant such as Math.PI.`);
  }

  private visitElementAccess(access: ts.ElementAccessExpression): void {
    if (isIdentifierNamed(access.expression, "workflow")) {
      const key = literalText(access.argumentExpression);
      if (key === undefined || !WORKFLOW_MEMBERS.has(key)) {
        this.report("EXPR_UNKNOWN_VARIABLE", access, `workflow has ${[...WORKFLOW_MEMBERS].map((m) => `workflow.${m}`).join(", ")}; read one of them by name.`);
        return;
      }
    }
    if (isIdentifierNamed(access.expression, "Math")) {
      this.report("EXPR_FORBIDDEN_NAME", access, `Math can only be used as Math.<member> with a fixed name, e.g. Math.round(x).`);
    } else {
      const key = literalText(access.argumentExpression);
      if (key !== undefined) this.checkPropertyName(key, access);
      this.visit(access.expression);
    }
    this.visit(access.argumentExpression);
  }

  // -- operators

  private visitPrefixUnary(unary: ts.PrefixUnaryExpression): void {
    switch (unary.operator) {
      case ts.SyntaxKind.PlusToken:
      case ts.SyntaxKind.MinusToken:
      case ts.SyntaxKind.ExclamationToken:
        return this.visit(unary.operand);
      case ts.SyntaxKind.PlusPlusToken:
      case ts.SyntaxKind.MinusMinusToken:
        return this.forbid(unary, `"${ts.tokenToString(unary.operator)}" changes a variable; expressions cannot. Write the new value, e.g. "x + 1".`);
      default:
        this.forbid(unary, `The operator "${ts.tokenToString(unary.operator)}" is not supported in expressions; use arithmetic or Math functions.`);
        return this.visit(unary.operand);
    }
  }

  private visitBinary(binary: ts.BinaryExpression): void {
    const operator = binary.operatorToken.kind;
    if (ALLOWED_BINARY.has(operator)) {
      this.checkNullishMixing(binary);
      this.visit(binary.left);
      return this.visit(binary.right);
    }
    if (operator >= ts.SyntaxKind.FirstAssignment && operator <= ts.SyntaxKind.LastAssignment) {
      // The left side is a target, not a read: only the right side is checked further.
      this.forbid(binary, "Assignment is not allowed: expressions compute a value and change nothing. Give the node an output to name a result.");
      return this.visit(binary.right);
    }
    if (operator === ts.SyntaxKind.CommaToken) {
      this.forbid(binary, "The comma operator is not allowed; write a single expression.");
    } else if (operator === ts.SyntaxKind.InstanceOfKeyword) {
      this.forbid(binary, '"instanceof" is not supported; compare plain values instead.');
    } else {
      this.forbid(binary, `The operator "${ts.tokenToString(operator)}" is not supported in expressions; use arithmetic, comparison or logical operators.`);
    }
    this.visit(binary.left);
    this.visit(binary.right);
  }

  /**
   * `a ?? b || c` parses, but TypeScript refuses it when type-checking (TS5076), which would
   * break the generated module, so it is refused here.
   */
  private checkNullishMixing(binary: ts.BinaryExpression): void {
    const isNullish = (kind: ts.SyntaxKind) => kind === ts.SyntaxKind.QuestionQuestionToken;
    const isLogical = (kind: ts.SyntaxKind) => kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.AmpersandAmpersandToken;
    const own = binary.operatorToken.kind;
    const clashes = (operand: ts.Expression) =>
      ts.isBinaryExpression(operand) && ((isNullish(own) && isLogical(operand.operatorToken.kind)) || (isLogical(own) && isNullish(operand.operatorToken.kind)));
    if (clashes(binary.left) || clashes(binary.right)) {
      this.report("EXPR_SYNTAX", binary, `"??" cannot be mixed with "||" or "&&" without parentheses; add parentheses around one side.`);
    }
  }

  // -- literals

  private visitElement(element: ts.Expression): void {
    if (ts.isSpreadElement(element)) return this.visit(element.expression);
    if (ts.isOmittedExpression(element)) {
      return this.report("EXPR_FORBIDDEN_SYNTAX", element.parent, "Array holes ([1, , 2]) are not allowed; write null for an empty slot.");
    }
    this.visit(element);
  }

  private visitObjectLiteral(object: ts.ObjectLiteralExpression): void {
    const seen = new Set<string>();
    for (const property of object.properties) {
      const key = staticKey(property);
      if (key !== undefined) {
        if (seen.has(key)) this.report("EXPR_SYNTAX", property.name ?? property, `The key "${key}" appears more than once in this object; keep one.`);
        seen.add(key);
      }
      this.visitObjectProperty(property);
    }
  }

  private visitObjectProperty(property: ts.ObjectLiteralElementLike): void {
    if (ts.isPropertyAssignment(property)) {
      this.visitPropertyName(property.name);
      return this.visit(property.initializer);
    }
    if (ts.isShorthandPropertyAssignment(property)) {
      if (property.objectAssignmentInitializer !== undefined) {
        // `{ a = 1 }` parses (it is a destructuring pattern's syntax) but is not an object literal.
        return this.report("EXPR_SYNTAX", property, 'Use ":" in an object literal, as in { a: 1 }.');
      }
      if (this.checkPropertyName(property.name.text, property.name)) this.visitIdentifier(property.name);
      return;
    }
    if (ts.isSpreadAssignment(property)) return this.visit(property.expression);
    this.forbid(property, "Methods, getters and setters are functions, which expressions cannot define; use a property with a value.");
  }

  private visitPropertyName(name: ts.PropertyName): void {
    if (ts.isComputedPropertyName(name)) {
      const key = literalText(name.expression);
      if (key !== undefined) this.checkPropertyName(key, name);
      return this.visit(name.expression);
    }
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) {
      this.checkPropertyName(name.text, name);
      return;
    }
    this.refuse(name);
  }

  // -- calls

  private visitCall(call: ts.CallExpression): void {
    const callee = call.expression;
    if (call.typeArguments !== undefined) {
      this.forbid(call, "Type arguments are TypeScript-only syntax; remove them.");
    }
    if (callee.kind === ts.SyntaxKind.ImportKeyword) {
      this.report("EXPR_FORBIDDEN_NAME", call, "import() loads code and is not allowed; use an activity for work outside the workflow.");
    } else {
      const arity = whitelistedArity(callee);
      if (arity !== undefined) {
        this.checkArguments(call, arity);
        const name = unparenthesized(callee);
        if (ts.isIdentifier(name) && EXPRESSION_HELPERS.includes(name.text)) this.helpers.add(name.text);
      } else if (isNondeterministicCallee(callee)) {
        this.report("EXPR_NONDETERMINISTIC", call, nondeterministicMessage(calleeRootName(callee)));
      } else {
        this.report("EXPR_FORBIDDEN_CALL", call, `Only these functions can be called: Math.<numeric function>, String, Number, Boolean, ${EXPRESSION_HELPERS.join(", ")}. Compute anything else in a step's activity.`);
        this.visitRefusedCallee(callee);
      }
    }
    call.arguments.forEach((argument) => this.visitElement(argument));
  }

  /**
   * The callee of a refused call is still checked for reads of forbidden names and variables,
   * but an unknown bare name (`foo()`) is already explained by the refused call.
   */
  private visitRefusedCallee(callee: ts.Expression): void {
    if (ts.isIdentifier(callee)) {
      const name = callee.text;
      if (this.checkGlobalName(callee, name)) return;
      if (this.scope.has(name)) this.variables.add(name);
      return;
    }
    if (ts.isPropertyAccessExpression(callee) && isIdentifierNamed(callee.expression, "Math")) return;
    this.visit(callee);
  }

  private checkArguments(call: ts.CallExpression, arity: Arity): void {
    const name = calleeText(call.expression);
    const spread = call.arguments.some(ts.isSpreadElement);
    if (spread && !arity.rest) {
      this.report("EXPR_ARGUMENTS", call, `${name} takes fixed arguments; pass them one by one instead of spreading (...) them.`);
      return;
    }
    const count = call.arguments.length;
    if (spread || (count >= arity.min && count <= arity.max)) return;
    const expected = arity.min === arity.max ? `${arity.min}` : `${arity.min} or ${arity.max}`;
    this.report("EXPR_ARGUMENTS", call, `${name} takes ${expected} argument${arity.max === 1 ? "" : "s"}, not ${count}.`);
  }

  private visitNew(expression: ts.NewExpression): void {
    if (isIdentifierNamed(expression.expression, "Date")) {
      this.report("EXPR_NONDETERMINISTIC", expression, nondeterministicMessage("Date"));
    } else {
      this.forbid(expression, '"new" is not allowed; build values with object and array literals, and dates with workflow.now and the date helpers.');
      this.visitRefusedCallee(expression.expression);
    }
    expression.arguments?.forEach((argument) => this.visitElement(argument));
  }

  // -- everything outside the subset

  /** A node kind the walk does not accept: say what it is, and check its parts where useful. */
  private refuse(node: ts.Node): void {
    const message = REFUSALS.get(node.kind);
    switch (node.kind) {
      case ts.SyntaxKind.ThisKeyword:
      case ts.SyntaxKind.SuperKeyword:
      case ts.SyntaxKind.MetaProperty:
      case ts.SyntaxKind.ImportKeyword:
        return this.report("EXPR_FORBIDDEN_NAME", node, message ?? "This name is not allowed in expressions.");
      case ts.SyntaxKind.DeleteExpression:
      case ts.SyntaxKind.VoidExpression:
      case ts.SyntaxKind.TypeOfExpression:
      case ts.SyntaxKind.AwaitExpression:
      case ts.SyntaxKind.AsExpression:
      case ts.SyntaxKind.SatisfiesExpression:
      case ts.SyntaxKind.NonNullExpression:
      case ts.SyntaxKind.TypeAssertionExpression:
      case ts.SyntaxKind.ExpressionWithTypeArguments: {
        // These wrap an ordinary expression, which may hold more problems worth reporting now.
        this.forbid(node, message ?? "This syntax is not allowed in expressions.");
        const inner = (node as ts.Node & { expression: ts.Expression }).expression;
        return this.visit(inner);
      }
      case ts.SyntaxKind.YieldExpression: {
        this.forbid(node, message ?? "This syntax is not allowed in expressions.");
        const operand = (node as ts.YieldExpression).expression;
        return operand === undefined ? undefined : this.visit(operand);
      }
      case ts.SyntaxKind.TaggedTemplateExpression:
        this.forbid(node, message ?? "This syntax is not allowed in expressions.");
        return this.visit((node as ts.TaggedTemplateExpression).template);
      default:
        // Functions, classes, regular expressions and anything unforeseen: refused without
        // looking inside, since their insides are not expressions in our scope.
        return this.forbid(node, message ?? "This syntax is not supported in expressions; use literals, variables, operators and the whitelisted functions.");
    }
  }

  private forbid(node: ts.Node, message: string): void {
    this.report("EXPR_FORBIDDEN_SYNTAX", node, message);
  }

  private report(code: string, node: ts.Node, message: string): void {
    const issue = { code, fragment: cut(node.getText(this.file)), message };
    // `order.a + order.b` is one missing variable, not two problems.
    const key = `${code}\u0000${issue.fragment}\u0000${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.issues.push(issue);
  }
}

const ALLOWED_BINARY: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.PercentToken,
  ts.SyntaxKind.AsteriskAsteriskToken,
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.InKeyword,
]);

/** What to say about each refused node kind (the code is chosen in Walker.refuse). */
const REFUSALS: ReadonlyMap<ts.SyntaxKind, string> = new Map([
  [ts.SyntaxKind.ThisKeyword, '"this" is not available in expressions; use input, workflow or an earlier node\'s output.'],
  [ts.SyntaxKind.SuperKeyword, '"super" is not available in expressions; use input, workflow or an earlier node\'s output.'],
  [ts.SyntaxKind.MetaProperty, "Meta properties (import.meta, new.target) are not available in expressions; use workflow for facts about the run."],
  [ts.SyntaxKind.ImportKeyword, "import loads code and is not allowed; use an activity for work outside the workflow."],
  [ts.SyntaxKind.DeleteExpression, '"delete" changes an object; expressions cannot. Build a new object with only the properties you need.'],
  [ts.SyntaxKind.VoidExpression, '"void" is not allowed; write undefined if you mean no value.'],
  [ts.SyntaxKind.TypeOfExpression, '"typeof" is not supported; compare with null or undefined, or convert with String, Number or Boolean.'],
  [ts.SyntaxKind.AwaitExpression, '"await" is not allowed: expressions are evaluated at once; wait with a step, timer or signal node.'],
  [ts.SyntaxKind.YieldExpression, '"yield" is not allowed in expressions.'],
  [ts.SyntaxKind.FunctionExpression, "Functions cannot be defined in expressions; do the work in a step's activity."],
  [ts.SyntaxKind.ArrowFunction, "Functions cannot be defined in expressions; do the work in a step's activity."],
  [ts.SyntaxKind.ClassExpression, "Classes cannot be defined in expressions; use object literals for data."],
  [ts.SyntaxKind.TaggedTemplateExpression, "Tagged templates call a function, which is not allowed; use a plain template literal."],
  [ts.SyntaxKind.RegularExpressionLiteral, "Regular expressions are not supported; test text in a step's activity."],
  [ts.SyntaxKind.BigIntLiteral, "BigInt literals cannot be stored as JSON; use a number or a string."],
  [ts.SyntaxKind.PrivateIdentifier, "Private names (#x) exist only inside classes; use an ordinary property name."],
  [ts.SyntaxKind.AsExpression, '"as" is TypeScript-only syntax; remove it: expressions are not type-checked.'],
  [ts.SyntaxKind.SatisfiesExpression, '"satisfies" is TypeScript-only syntax; remove it.'],
  [ts.SyntaxKind.NonNullExpression, 'The non-null assertion "!" is TypeScript-only syntax; remove it, or use "?." and "??" for missing values.'],
  [ts.SyntaxKind.TypeAssertionExpression, "Type assertions (<T>x) are TypeScript-only syntax; remove them."],
  [ts.SyntaxKind.ExpressionWithTypeArguments, "Type arguments are TypeScript-only syntax; remove them."],
]);

function nondeterministicMessage(name: string): string {
  if (name === "Math.random" || name === "crypto") {
    return `${name} is random, and workflow code must replay identically: randomness must come from the engine, so draw random values in a step's activity and use its output.`;
  }
  return `${name} reads the real clock, and workflow code must replay identically: use workflow.now (the engine's deterministic clock), with addDuration and startOfNextMonth for date arithmetic.`;
}

// ---------------------------------------------------------------------------------------------
// Small helpers over the tree.

function isIdentifierNamed(node: ts.Node, name: string): node is ts.Identifier {
  return ts.isIdentifier(node) && node.text === name;
}

/**
 * The arity of a whitelisted callee: `String`, a helper, or `Math.<numeric function>`, also
 * in parentheses (`(String)(x)` calls the same function).
 */
function whitelistedArity(expression: ts.Expression): Arity | undefined {
  const callee = unparenthesized(expression);
  if (ts.isIdentifier(callee)) return CALLABLE_NAMES.get(callee.text);
  if (ts.isPropertyAccessExpression(callee) && isIdentifierNamed(callee.expression, "Math") && ts.isIdentifier(callee.name)) {
    return MATH_FUNCTIONS.get(callee.name.text);
  }
  return undefined;
}

/** `Math.random(...)`, `Date(...)`, `Date.now()`, `performance.now()`, `crypto.randomUUID()`. */
function isNondeterministicCallee(callee: ts.Expression): boolean {
  if (ts.isPropertyAccessExpression(callee) && isIdentifierNamed(callee.expression, "Math")) return callee.name.text === "random";
  return NONDETERMINISTIC_NAMES.has(calleeRootName(callee));
}

/** `Math.random` for Math's members, otherwise the identifier at the root of a member chain. */
function calleeRootName(callee: ts.Expression): string {
  if (ts.isPropertyAccessExpression(callee) && isIdentifierNamed(callee.expression, "Math")) return `Math.${callee.name.text}`;
  let root: ts.Expression = callee;
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || ts.isParenthesizedExpression(root)) root = root.expression;
  return ts.isIdentifier(root) ? root.text : "";
}

function unparenthesized(node: ts.Expression): ts.Expression {
  let inner = node;
  while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
  return inner;
}

function calleeText(expression: ts.Expression): string {
  const callee = unparenthesized(expression);
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) return `${callee.expression.text}.${callee.name.text}`;
  return ts.isIdentifier(callee) ? callee.text : "This function";
}

/** The text of a string or no-substitution template literal, looking through parentheses. */
function literalText(node: ts.Expression): string | undefined {
  const inner = unparenthesized(node);
  return ts.isStringLiteral(inner) || ts.isNoSubstitutionTemplateLiteral(inner) ? inner.text : undefined;
}

/**
 * The key a property defines when it is known without evaluating anything, as TypeScript's
 * duplicate-key check sees it: `a`, `"a"` and `1`, `"1"` coincide; computed keys are ignored.
 */
function staticKey(property: ts.ObjectLiteralElementLike): string | undefined {
  if (ts.isSpreadAssignment(property)) return undefined;
  const name = property.name;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/** Trimmed, and cut to MAX_FRAGMENT characters (whole code points). */
function cut(text: string): string {
  const trimmed = text.trim();
  const points = Array.from(trimmed);
  return points.length <= MAX_FRAGMENT ? trimmed : `${points.slice(0, MAX_FRAGMENT - 3).join("")}...`;
}

// ---------------------------------------------------------------------------------------------
// Printing: the same tree always gives the same bytes.

/**
 * Prints an accepted expression on one line. The printer copies a parsed literal's source
 * text (its quotes, escapes, `0x10`), and breaks lists where the source had line breaks
 * between their elements. So literals are rebuilt from their values, and then every node
 * forgets its position, which leaves the printer nothing of the source's layout to copy.
 */
/** One printer for every expression: a printer keeps no state between printNode calls. */
const PRINTER = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

function print(expression: ts.Expression, file: ts.SourceFile): string {
  // A plain visit with the public factory: `ts.transform` would build a transformation context
  // per expression, which cost more than parsing it.
  const tree = normalize(expression);
  forgetPositions(tree);
  return PRINTER.printNode(ts.EmitHint.Expression, tree, file);
}

/**
 * Marks every node as synthesized (position -1). This mutates nodes of the parse tree too,
 * which is safe: the tree belongs to this call alone, and printing is the last use of it.
 */
function forgetPositions(root: ts.Node): void {
  const nowhere: ts.TextRange = { pos: -1, end: -1 };
  const stack: ts.Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    ts.setTextRange(node, nowhere);
    ts.forEachChild(node, (child) => {
      stack.push(child);
    });
  }
}

function normalize<T extends ts.Node>(root: T): T {
  const factory = ts.factory;
  const context = undefined;
  const visit = (node: ts.Node): ts.Node => {
    switch (node.kind) {
      case ts.SyntaxKind.Identifier:
        return factory.createIdentifier((node as ts.Identifier).text);
      case ts.SyntaxKind.StringLiteral:
        return stringLiteral(factory, (node as ts.StringLiteral).text);
      case ts.SyntaxKind.NumericLiteral:
        return numericLiteral(factory, node as ts.NumericLiteral);
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral: {
        const text = (node as ts.NoSubstitutionTemplateLiteral).text;
        return factory.createNoSubstitutionTemplateLiteral(text, templateRawText(text));
      }
      case ts.SyntaxKind.TemplateHead: {
        const text = (node as ts.TemplateHead).text;
        return factory.createTemplateHead(text, templateRawText(text));
      }
      case ts.SyntaxKind.TemplateMiddle: {
        const text = (node as ts.TemplateMiddle).text;
        return factory.createTemplateMiddle(text, templateRawText(text));
      }
      case ts.SyntaxKind.TemplateTail: {
        const text = (node as ts.TemplateTail).text;
        return factory.createTemplateTail(text, templateRawText(text));
      }
      case ts.SyntaxKind.ArrayLiteralExpression: {
        // A fresh array drops a trailing comma; `multiLine: false` drops the source's line breaks.
        const elements = (node as ts.ArrayLiteralExpression).elements.map((element) => visit(element) as ts.Expression);
        return factory.createArrayLiteralExpression(elements, false);
      }
      case ts.SyntaxKind.ObjectLiteralExpression: {
        const properties = (node as ts.ObjectLiteralExpression).properties.map((property) => visit(property) as ts.ObjectLiteralElementLike);
        return factory.createObjectLiteralExpression(properties, false);
      }
      case ts.SyntaxKind.ParenthesizedExpression: {
        // `((a))` means `(a)`.
        let inner = (node as ts.ParenthesizedExpression).expression;
        while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
        return factory.createParenthesizedExpression(visit(inner) as ts.Expression);
      }
      case ts.SyntaxKind.CallExpression: {
        const call = ts.visitEachChild(node as ts.CallExpression, visit, context);
        const args = call.arguments.map((argument) => argument);
        return ts.isCallChain(call)
          ? factory.updateCallChain(call, call.expression, call.questionDotToken, call.typeArguments, args)
          : factory.updateCallExpression(call, call.expression, call.typeArguments, args);
      }
      default:
        return ts.visitEachChild(node, visit, context);
    }
  };
  return visit(root) as T;
}

/**
 * A double-quoted string. Non-ASCII text stays readable, except lone surrogates: they cannot be
 * written to a UTF-8 file, so then every non-ASCII character is escaped as \uXXXX.
 */
function stringLiteral(factory: ts.NodeFactory, text: string): ts.StringLiteral {
  const literal = factory.createStringLiteral(text, false);
  return hasLoneSurrogate(text) ? literal : ts.setEmitFlags(literal, ts.EmitFlags.NoAsciiEscaping);
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(i + 1))) i++;
    else if (isHighSurrogate(code) || isLowSurrogate(code)) return true;
  }
  return false;
}

/**
 * The parser already normalizes a number's text (`0x10` is "16", `1_000` is "1000"); a number
 * too large for a double becomes "Infinity", which is printed as `1e999` so that it stays a
 * numeric literal (`1e400.x` must not become `Infinity..x`).
 */
function numericLiteral(factory: ts.NodeFactory, node: ts.NumericLiteral): ts.NumericLiteral {
  return factory.createNumericLiteral(node.text === "Infinity" ? "1e999" : node.text);
}

/**
 * The raw text of a template part: like TypeScript's own escaping, but line breaks are escaped
 * too, so that the printed code is one line.
 */
function templateRawText(text: string): string {
  let raw = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const code = text.charCodeAt(i);
    if (char === "\\" || char === "`") raw += `\\${char}`;
    else if (char === "$" && text[i + 1] === "{") raw += "\\$";
    else if (char === "\n") raw += "\\n";
    else if (char === "\r") raw += "\\r";
    else if (char === "\t") raw += "\\t";
    else if (code < 0x20 || code === 0x7f || code === 0x85 || code === 0x2028 || code === 0x2029) raw += unicodeEscape(code);
    else if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(i + 1))) raw += char + text[++i];
    else if (isHighSurrogate(code) || isLowSurrogate(code)) raw += unicodeEscape(code);
    else raw += char;
  }
  return raw;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
}
