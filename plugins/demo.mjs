// The demo activity plugin: what the four example workflows need, so that each runs end to end
// on the bundled engine. Plain objects, nothing imported from Weft (the plugin contract).
//
//   weft worker --activities plugins/demo.mjs
//
// `notify.email` does not send mail and `bank.transfer` moves no money: each appends one JSON
// line per message or payment to an outbox file (WEFT_OUTBOX, default ./data/outbox.jsonl),
// with the run it came from, that the app's Outbox page shows.

import { appendFile, mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/** An activity failure with a type for retry policies' `nonRetryableErrors`. */
function failure(type, message) {
  const error = new Error(message);
  error.name = type;
  error.type = type;
  return error;
}

/** Appends one effect to the outbox file, with the run and node it came from. */
async function toOutbox(entry, ctx) {
  const outbox = resolve(process.env.WEFT_OUTBOX ?? "./data/outbox.jsonl");
  await mkdir(dirname(outbox), { recursive: true });
  const from = ctx?.info ? { workflowId: ctx.info.workflowId, nodeId: ctx.info.nodeId } : {};
  await appendFile(outbox, `${JSON.stringify({ at: new Date().toISOString(), ...entry, ...from })}\n`);
}

/** A small deterministic hash of a string (FNV-1a, 32 bits). */
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export default [
  {
    name: "orders.init",
    title: "Initiate order",
    description: "Reserves stock and charges the card. The SKU \"declined-card\" fails with PaymentFailed.",
    inputSchema: {
      type: "object",
      required: ["orderId", "sku", "qty"],
      properties: {
        orderId: { type: "string", title: "Order id" },
        sku: { type: "string", title: "SKU" },
        qty: { type: "integer", minimum: 1, title: "Quantity" },
      },
    },
    async run(input) {
      if (input.sku === "declined-card") throw failure("PaymentFailed", `payment for order ${input.orderId} was declined`);
      return { id: input.orderId, sku: input.sku, qty: input.qty, total: input.qty * 10 };
    },
  },
  {
    name: "orders.fulfill",
    title: "Fulfill order",
    description: "Ships an initiated order.",
    inputSchema: {
      type: "object",
      required: ["id"],
      properties: {
        id: { type: "string", title: "Order id" },
        sku: { type: "string" },
        qty: { type: "integer" },
        total: { type: "number" },
      },
    },
    async run() {
      return "fulfilled";
    },
  },
  {
    name: "orders.archive",
    title: "Archive order",
    description: "Moves a finished order to the archive.",
    inputSchema: {
      type: "object",
      required: ["order"],
      properties: {
        order: { type: "object", title: "Order" },
        status: { type: "string", title: "Status" },
      },
    },
    async run(input) {
      return { archived: true, orderId: input.order?.id ?? null, status: input.status ?? null };
    },
  },
  {
    name: "users.provision",
    title: "Provision user",
    description: "Creates the user's account.",
    inputSchema: {
      type: "object",
      required: ["email"],
      properties: { email: { type: "string", format: "email", title: "E-mail" } },
    },
    async run(input) {
      return { id: `u-${input.email}`, email: input.email };
    },
  },
  {
    name: "users.activitySince",
    title: "Count user activity",
    description: "How many actions a user took since a date. Users whose e-mail starts with \"idle\" took none.",
    inputSchema: {
      type: "object",
      required: ["userId"],
      properties: {
        userId: { type: "string", title: "User id" },
        since: { type: "string", format: "date-time", title: "Since" },
      },
    },
    async run(input) {
      const email = String(input.userId).replace(/^u-/, "");
      const actions = email.startsWith("idle") ? 0 : 1 + (fnv1a(email) % 50);
      return { userId: input.userId, since: input.since ?? null, actions };
    },
  },
  {
    name: "billing.computeStatement",
    title: "Compute statement",
    description: "The amount a customer owes for the month before `at`.",
    inputSchema: {
      type: "object",
      required: ["customerId"],
      properties: {
        customerId: { type: "string", title: "Customer id" },
        at: { type: "string", format: "date-time", title: "At" },
      },
    },
    async run(input) {
      const at = input.at ?? null;
      const total = ((fnv1a(`${input.customerId}|${String(at).slice(0, 7)}`) % 100_000) + 100) / 100;
      return { customerId: input.customerId, total, at };
    },
  },
  {
    name: "bank.transfer",
    title: "Transfer money",
    description: "Moves money between accounts. Amounts over 1,000,000 fail with InsufficientFunds.",
    inputSchema: {
      type: "object",
      required: ["from", "to", "amount"],
      properties: {
        from: { type: "string", title: "From account" },
        to: { type: "string", title: "To account" },
        amount: { type: "number", exclusiveMinimum: 0, title: "Amount" },
      },
    },
    async run(input, ctx) {
      if (input.amount > 1_000_000) {
        throw failure("InsufficientFunds", `account ${input.from} cannot cover ${input.amount}`);
      }
      const key = `${ctx?.info?.workflowId ?? ""}|${ctx?.info?.nodeId ?? ""}|${input.from}|${input.to}|${input.amount}`;
      const receipt = { id: `tx-${fnv1a(key).toString(16).padStart(8, "0")}`, from: input.from, to: input.to, amount: input.amount };
      await toOutbox({ kind: "payment", ...receipt }, ctx);
      return receipt;
    },
  },
  {
    name: "notify.email",
    title: "Send e-mail",
    description: "Appends the message to the outbox file (WEFT_OUTBOX, default ./data/outbox.jsonl).",
    inputSchema: {
      type: "object",
      required: ["to", "subject"],
      properties: {
        to: { type: "string", title: "To" },
        subject: { type: "string", title: "Subject" },
        body: { type: "string", title: "Body" },
      },
    },
    async run(input, ctx) {
      await toOutbox({ kind: "email", to: input.to, subject: input.subject, body: input.body ?? "" }, ctx);
      return { sent: true };
    },
  },
];
