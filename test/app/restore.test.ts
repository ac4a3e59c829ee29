// Restoring a version as the draft (app/lib/restore.ts): whether the draft would lose changes
// that no version holds, judged on the documents whatever the order of their keys.

import { describe, expect, it } from "vitest";
import { canonicalJson, restorePlan, restoreQuestion, sameDocument } from "../../app/lib/restore.ts";

const v1 = { name: "w", nodes: [{ id: "a", type: "step", activity: "orders.archive", position: { x: 0, y: 0 } }], edges: [] };
const v2 = { name: "w", nodes: [{ id: "a", type: "step", activity: "orders.fulfill", position: { x: 0, y: 0 } }], edges: [] };

describe("restoring a version as the draft", () => {
  it("compares documents by content, not by the order of their keys", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 3 } })).toBe('{"a":{"c":3,"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(sameDocument(v1, { edges: [], nodes: [{ position: { y: 0, x: 0 }, activity: "orders.archive", type: "step", id: "a" }], name: "w" })).toBe(true);
    // A node moved is a change: the draft's work includes where things are.
    expect(sameDocument(v1, { ...v1, nodes: [{ ...v1.nodes[0], position: { x: 8, y: 0 } }] })).toBe(false);
    // Arrays keep their order.
    expect(sameDocument({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });

  it("says whether the draft is the restored version's drawing already, another version's (nothing is lost), or would be replaced", () => {
    const restoring = { version: 1, document: v1 };
    expect(restorePlan({ document: v2, etag: '"v2"' }, restoring, 2, 2)).toEqual({ version: 1, newest: 2, draft: "kept", keptIn: 2, etag: '"v2"' });
    expect(restorePlan({ document: v1, etag: '"r4"' }, restoring, 2)).toEqual({ version: 1, newest: 2, draft: "same", etag: '"r4"' });
    const plan = restorePlan({ document: { ...v2, title: "Edited since" }, etag: '"r5"' }, restoring, 2);
    expect(plan).toEqual({ version: 1, newest: 2, draft: "replaced", etag: '"r5"' });
    // The question says plainly what is lost, and what is not.
    const words = restoreQuestion(plan);
    expect(words.question).toBe("Replace the draft with version 1?");
    expect(words.detail).toBe(
      "The draft has changes that were never deployed: it differs from version 2, the newest, and from the versions before it. Restoring version 1 replaces those changes, and they are not kept anywhere. Deployed versions stay as they are.",
    );
  });
});
