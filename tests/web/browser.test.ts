/**
 * The web pages in a real browser (Debian's Chromium through playwright-core, tests/web/browser.ts) over
 * the `bridge demo --serve` stack: signing in through the identity provider's form, the start page and
 * the error and signed-out pages pass axe-core's WCAG 2.2 AA rules with no CSP violation, signing out goes
 * through the issuer; and with JavaScript off a person signs in and reads the start page all the same.
 * Screenshots: build/screenshots/.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPage, launchBrowser, openPage, type Stack, signIn, startStack } from "./browser.ts";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the web pages in Chromium", () => {
  it("signs in, shows an accessible start page and 'Page not found', and signs out through the issuer", async () => {
    const page = await openPage(browser);
    await signIn(page, stack, "data.team.1");
    expect(page.url()).toBe(`${stack.url}/`);
    expect(await page.title()).toBe("Home - OASys–ARMS bridge");
    await expect(page.locator("h1").textContent()).resolves.toContain("OASys–ARMS bridge");
    await expect(page.locator("body").getAttribute("class")).resolves.toContain("govuk-frontend-supported");
    await checkPage(page, "home");

    await page.goto(`${stack.url}/no-such-page`);
    expect(await page.title()).toBe("Page not found - OASys–ARMS bridge");
    await checkPage(page, "not-found");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    await page.waitForURL(`${stack.url}/signed-out`);
    expect(await page.title()).toBe("You have signed out - OASys–ARMS bridge");
    await checkPage(page, "signed-out");
    await page.goto(`${stack.url}/`);
    await expect(page.locator('input[name="username"]').count()).resolves.toBe(1);
    await page.context().close();
  }, 60_000);

  it("works without JavaScript: sign in and read the start page", async () => {
    const page = await openPage(browser, { javaScriptEnabled: false });
    await signIn(page, stack, "police.essex");
    expect(page.url()).toBe(`${stack.url}/`);
    expect(await page.title()).toBe("Home - OASys–ARMS bridge");
    await expect(page.locator("main").textContent()).resolves.toContain("police.essex");
    await expect(page.locator("body").getAttribute("class")).resolves.not.toContain("js-enabled");
    await checkPage(page, "home-without-javascript");
    await page.context().close();
  }, 60_000);
});
