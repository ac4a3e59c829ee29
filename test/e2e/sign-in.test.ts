// A new user's first minutes, in Chromium: the sign-in page (a wrong password first), every
// section of the app, a workflow and its code, signing out and back in to where they were
// heading; an admin adds a person with a role, and that person signs in.

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startWeft, type WeftServer } from "../app/weft-server.ts";
import { eventually, inBrowser, launchBrowser, signIn } from "./browser.ts";

let server: WeftServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startWeft("sqlite"), launchBrowser()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test("an admin signs in (a wrong password first), reaches each section, opens a workflow and its code, and signs out", async () => {
  await inBrowser(browser, server.url, "admin visits every section", async (s) => {
    const { page } = s;
    await page.goto("/");
    await page.waitForURL("**/sign-in");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await page.title()).toBe("Sign in · Weft");
    await s.step("sign-in page");

    // A wrong password: said in words, the name kept.
    s.allowConsoleError(/status of 401 .*\/api\/session/);
    await page.getByRole("textbox", { name: "Name" }).fill("admin");
    await page.getByRole("textbox", { name: "Password" }).fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("main").getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/name and password do not match/i);
    expect(await page.getByRole("textbox", { name: "Name" }).inputValue()).toBe("admin");
    expect(page.url()).toMatch(/\/sign-in$/);
    await s.step("wrong password");

    await page.getByRole("textbox", { name: "Password" }).fill(server.demoPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/workflows");
    await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link", { name: "Workflows" }).getAttribute("aria-current")).toBe("page");
    await page.getByRole("banner").getByText("Alex Admin").waitFor();
    await s.step("workflows");

    for (const section of ["Runs", "Approvals", "People", "Workflows"]) {
      await nav.getByRole("link", { name: section }).click();
      await page.getByRole("heading", { name: section, level: 1 }).waitFor();
      await eventually(`${section} to be the current link`, async () => (await nav.getByRole("link", { name: section }).getAttribute("aria-current")) === "page");
      expect(await page.getByRole("main").count()).toBe(1);
      await s.step(section);
    }

    // A workflow, by its title; then its generated code.
    await page.getByRole("link", { name: "Money transfer with approval over 10,000", exact: true }).click();
    await page.getByRole("heading", { name: "Money transfer with approval over 10,000", level: 1 }).waitFor();
    // Its designer: the drawing's nodes on the canvas, by label.
    const canvas = page.getByRole("application", { name: "Canvas" });
    await canvas.getByRole("group", { name: "Large transfer?" }).waitFor();
    // Until Monaco has loaded the code shows as plain text, and for a moment both are there.
    await page.getByRole("region", { name: "Code" }).getByText("// money-transfer").first().waitFor();
    await s.step("workflow");
    await page.getByRole("region", { name: "Versions" }).getByRole("link", { name: "Version 1" }).click();
    await page.getByRole("heading", { name: "Code", level: 1 }).waitFor();
    const code = await page.getByRole("region", { name: /Generated TypeScript/ }).textContent();
    expect(code).toMatch(/export/);
    await s.step("code");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/sign-in");
    // The address changes before the sign-in page is drawn (and its title set): wait for the page.
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await s.step("signed out");

    // Signed out, a page sends to sign-in, and sign-in leads back to it.
    await page.goto("/runs?status=completed");
    await page.waitForURL((url) => url.pathname === "/sign-in");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/runs?status=completed");
    await signIn(s, "admin", server.demoPassword);
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe("/runs?status=completed");
    await page.getByRole("heading", { name: "Runs", level: 1 }).waitFor();
    // A `next` to another site is not followed.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/sign-in");
    await page.goto("/sign-in?next=//example.com/x");
    await signIn(s, "admin", server.demoPassword);
    expect(new URL(page.url()).pathname).toBe("/workflows");
  });
}, 300_000);

test("an admin adds a person with the finance role, and that person signs in", async () => {
  let password = "";
  await inBrowser(browser, server.url, "admin adds a person", async (s) => {
    const { page } = s;
    await page.goto("/people");
    await signIn(s, "admin", server.demoPassword);
    await page.getByRole("heading", { name: "People", level: 1 }).waitFor();

    const form = page.getByRole("region", { name: "Add person" });
    await form.getByRole("textbox", { name: "Name", exact: true }).fill("fiona");
    await form.getByRole("textbox", { name: "Display name" }).fill("Fiona Ross");
    await form.getByRole("textbox", { name: "Other roles" }).fill("finance");
    await s.step("add person form");
    await form.getByRole("button", { name: "Add person" }).click();
    const status = form.getByRole("status");
    await eventually("the new password to be shown", async () => /password is/.test((await status.textContent()) ?? ""));
    const text = (await status.textContent()) ?? "";
    expect(text).toMatch(/Added Fiona Ross \(fiona\) with the roles finance/);
    password = /password is (\S+?)\. /.exec(text)?.[1] ?? "";
    expect(password.length).toBeGreaterThanOrEqual(8);
    const card = page.getByRole("article", { name: /Fiona Ross/ });
    await card.waitFor();
    expect(await card.textContent()).toMatch(/finance/);
    await s.step("person added");

    // The roles can change, and the list says so.
    await card.getByRole("button", { name: "Edit" }).click();
    await card.getByRole("checkbox", { name: /operator/ }).check();
    await s.step("editing roles");
    await card.getByRole("button", { name: "Save" }).click();
    await eventually("the roles to be saved", async () => /roles finance, operator|roles operator, finance/.test((await page.getByRole("region", { name: /Everyone/ }).getByRole("status").first().textContent()) ?? ""));
    await card.getByRole("button", { name: "Edit" }).click();
    await card.getByRole("checkbox", { name: /operator/ }).uncheck();
    await card.getByRole("button", { name: "Save" }).click();
    await eventually("operator to be taken away", async () => !/operator/.test((await card.textContent()) ?? ""));

    // A new password, made by Weft and shown once.
    await card.getByRole("button", { name: "Reset password" }).click();
    await card.getByRole("button", { name: "Set new password" }).click();
    const reset = card.getByRole("status");
    await eventually("the new password to be shown", async () => /new password is/.test((await reset.textContent()) ?? ""));
    password = /new password is (\S+?)\. /.exec((await reset.textContent()) ?? "")?.[1] ?? "";
    expect(password.length).toBeGreaterThanOrEqual(8);
    await s.step("password reset");

    // A token, shown once, then revoked.
    await card.getByRole("button", { name: "Tokens" }).click();
    await card.getByRole("textbox", { name: "Label of a new token" }).fill("reports");
    await card.getByRole("button", { name: "Create token" }).click();
    await eventually("the token to be shown", async () => /New token: weft_/.test((await card.getByRole("status").textContent()) ?? ""));
    await card.getByRole("button", { name: "Revoke reports" }).waitFor();
    await s.step("token created");
    await card.getByRole("button", { name: "Revoke reports" }).click();
    await card.getByRole("button", { name: "Revoke reports" }).waitFor({ state: "detached" });

    // Someone added by mistake is removed, after a confirmation.
    await form.getByRole("textbox", { name: "Name", exact: true }).fill("temp.person");
    await form.getByRole("button", { name: "Add person" }).click();
    const temp = page.getByRole("article", { name: /temp\.person/ });
    await temp.getByRole("button", { name: "Remove" }).click();
    await temp.getByRole("button", { name: "Remove temp.person" }).waitFor();
    await s.step("confirm removal");
    await temp.getByRole("button", { name: "Remove temp.person" }).click();
    await temp.waitFor({ state: "detached" });
    expect(await page.getByRole("region", { name: /Everyone/ }).getByRole("status").first().textContent()).toMatch(/Removed temp\.person/);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/sign-in");
  });

  await inBrowser(browser, server.url, "the new person signs in", async (s) => {
    const { page } = s;
    await page.goto("/");
    await signIn(s, "fiona", password);
    await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();
    await page.getByRole("banner").getByText("Fiona Ross").waitFor();
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link", { name: "People" }).count()).toBe(0);
    await s.step("signed in as the new person");
    await page.goto("/people");
    await page.getByRole("heading", { name: "People", level: 1 }).waitFor();
    expect(await page.getByRole("main").textContent()).toMatch(/Only admins can manage people/);
    await s.step("people is for admins");
    await nav.getByRole("link", { name: "Approvals" }).click();
    await page.getByRole("heading", { name: "Approvals", level: 1 }).waitFor();
    await s.step("approvals of the new person");
  });
}, 300_000);
