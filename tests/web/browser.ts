/**
 * Browser tests of the web pages: playwright-core driving Debian's Chromium (/usr/bin/chromium; no browser
 * download: `.ci/run` installs the package), headless, against the `bridge demo --serve` stack started in
 * this process on free ports (the API and the web, the bundled identity provider, the simulated agencies,
 * the pipeline's stages, embedded PGlite).
 *
 *   const stack = await startStack();            // the demo's data, served; stack.url, stack.stop()
 *   const browser = await launchBrowser();       // fails, saying how to install Chromium, when it is absent
 *   const page = await openPage(browser);         // { javaScriptEnabled: false } for a no-JavaScript run
 *   await signIn(page, stack, "data.team.1");     // through the identity provider's real form
 *   await checkPage(page, "home");               // axe-core, WCAG 2.2 AA tags: fails on any violation;
 *                                                // screenshot to build/screenshots/home.png
 *
 * Every page opened by `openPage` also records Content-Security-Policy violations and page errors;
 * `checkPage` fails on any.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { demoCommand } from "../../src/cli/demo.ts";
import type { DemoServing } from "../../src/cli/demo-serve.ts";
import { captureIo } from "../cli/capture.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = join(process.cwd(), "build", "screenshots");
/** WCAG 2.0, 2.1 and 2.2, levels A and AA, as axe-core tags them. */
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface Stack extends DemoServing {
  stop(): Promise<void>;
}

/** The `bridge demo --serve` stack on free ports, once its pipeline has nothing left to do. */
export async function startStack(): Promise<Stack> {
  const stop = new AbortController();
  const cli = captureIo();
  let exited: Promise<number> = Promise.resolve(0);
  const serving = await new Promise<DemoServing>((resolve, reject) => {
    exited = demoCommand(["--serve", "--port", "0", "--idp-port", "0"], cli.io, {
      stop: stop.signal,
      onServing: resolve,
    });
    exited.then(() => reject(new Error(`the demo ended before serving: ${cli.stderr.text}`)), reject);
  });
  await serving.idle();
  return {
    ...serving,
    async stop() {
      stop.abort();
      await exited;
    },
  };
}

/** Headless Debian Chromium; a missing browser is a failure that says how to install it, never a skip. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Debian's Chromium at ${CHROMIUM}: install it with ` +
        "'apt-get update && apt-get install -y --no-install-recommends chromium' (.ci/run does)",
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

export interface CheckedPage extends Page {
  /** CSP violations and uncaught page errors seen so far. */
  problems: string[];
  javaScriptEnabled: boolean;
}

/** A page in a fresh context (its own cookies), recording CSP violations and page errors. */
export async function openPage(
  browser: Browser,
  options: { javaScriptEnabled?: boolean } = {},
): Promise<CheckedPage> {
  const context = await browser.newContext({
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: { width: 1280, height: 900 },
  });
  const page = (await context.newPage()) as CheckedPage;
  page.problems = [];
  page.javaScriptEnabled = options.javaScriptEnabled ?? true;
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) page.problems.push(message.text());
  });
  page.on("pageerror", (error) => page.problems.push(`page error: ${error.message}`));
  return page;
}

/** Signs in as a seeded person through the identity provider's form, back on the page asked for. */
export async function signIn(
  page: Page,
  stack: Pick<Stack, "url" | "password">,
  username: string,
): Promise<void> {
  await page.goto(`${stack.url}/`);
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(stack.password);
  await Promise.all([page.waitForURL(`${stack.url}/**`), page.locator('button[type="submit"]').click()]);
}

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page (WCAG 2.2 AA tags) and saves a screenshot as build/screenshots/<name>.png.
 * Throws listing every violation, and any CSP violation or page error the page recorded.
 */
export async function checkPage(page: CheckedPage, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  // axe needs JavaScript: a page without it is checked as served (its scripts removed) in a twin page
  // that has JavaScript, at the same address (so its stylesheets load), which runs nothing of its own.
  let checked: Page = page;
  if (!page.javaScriptEnabled) {
    const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, "");
    checked = await (page.context().browser() as Browser).newPage();
    await checked.route(page.url(), (route) =>
      route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
    );
    await checked.goto(page.url());
  }
  // Through the DevTools protocol, not a <script> element: the pages' CSP allows no inline script.
  await checked.evaluate(AXE_SOURCE);
  const found = (await checked.evaluate(`axe
      .run(document, { runOnly: { type: "tag", values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ["violations"] })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ")) })))`)) as Violation[];
  if (checked !== page) await checked.context().close();
  const problems = [
    ...found.map((v) => `axe ${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(", ")}`),
    ...page.problems,
  ];
  if (problems.length > 0)
    throw new Error(`${name}: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
}

/** On a conflict page: chooses an action, writes the decision and rationale, and sends the form. */
export async function decide(
  page: CheckedPage,
  action: string,
  decision: string | null,
  rationale: string,
): Promise<void> {
  await page.locator("label", { hasText: new RegExp(`^\\s*${action}\\s*$`) }).click();
  if (decision !== null) await page.getByLabel("Decision", { exact: true }).fill(decision);
  await page.getByLabel("Rationale", { exact: true }).fill(rationale);
  await Promise.all([
    page.waitForURL(/\?done=/),
    page.getByRole("button", { name: "Record decision" }).click(),
  ]);
}

/** Opens a conflict from the queue (filtered to live BLOCKs), as a reviewer does. */
export async function openFromQueue(page: CheckedPage, url: string, id: string): Promise<void> {
  await page.goto(`${url}/conflicts?filtered=1&severity=BLOCK&state=OPEN&state=ACKNOWLEDGED`);
  await page.locator(`a[href="/conflicts/${id}"]`).click();
  await page.waitForURL(`${url}/conflicts/${id}`);
}
