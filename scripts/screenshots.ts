/**
 * `npm run screenshots`: the three screenshots the README shows, taken in Debian's Chromium
 * (/usr/bin/chromium, through playwright-core) from the `bridge demo --serve` stack over the bundled
 * examples (embedded store, in-process queue, the development identity provider: nothing else to run),
 * written to docs/screenshots/ (committed): the conflict queue and the dashboard as data.team.1, and a
 * person's record (the matched-consistent example, found by PNC) as police.kent, with the fields police
 * are not shown marked as such. The browser tests' screenshots go to build/screenshots/ (not committed).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, openPage, signIn, startStack } from "../tests/web/browser.ts";

const OUT = join(process.cwd(), "docs", "screenshots");
const VIEWPORT = { width: 1100, height: 820 };
/** The matched-consistent example's PNC (examples/pairs/matched-consistent/arms.json; Kent). */
const PNC = "2004/0345678X";

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const stack = await startStack();
  const browser = await launchBrowser();
  try {
    const team = await openPage(browser);
    await team.setViewportSize(VIEWPORT);
    await signIn(team, stack, "data.team.1");
    await team.goto(`${stack.url}/conflicts`);
    await team.screenshot({ path: join(OUT, "conflict-queue.png") });
    await team.goto(`${stack.url}/dashboard`);
    await team.evaluate("document.getElementById('conflicts').scrollIntoView({ block: 'start' })");
    await team.screenshot({ path: join(OUT, "dashboard.png") });

    const police = await openPage(browser);
    await police.setViewportSize(VIEWPORT);
    await signIn(police, stack, "police.kent");
    await police.goto(`${stack.url}/persons`);
    await police.getByLabel("PNC", { exact: true }).check();
    await police.getByLabel("Number", { exact: true }).fill(PNC);
    await Promise.all([
      police.waitForURL(/\/persons\/[0-9a-f-]{36}$/),
      police.getByRole("button", { name: "Search" }).click(),
    ]);
    await police.evaluate("document.getElementById('draft-counts').scrollIntoView({ block: 'start' })");
    await police.evaluate("window.scrollBy(0, -150)");
    await police.screenshot({ path: join(OUT, "person.png") });
    for (const name of ["conflict-queue", "person", "dashboard"]) {
      process.stdout.write(`wrote docs/screenshots/${name}.png\n`);
    }
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
