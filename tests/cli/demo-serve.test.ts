/**
 * `bridge demo --serve`, in process, on free ports: the demo runs as always, then the service stays up
 * over its store (embedded PGlite) with the bundled identity provider, the simulated agencies and the
 * pipeline's stages run here from the store's outbox. A person signs in through the provider's real form
 * with a cookie-jar client and reads the start page; the API, with a token from the same provider, shows
 * the same conflicts, and what was pushed reached the simulated agencies; stopping ends it all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passwordSignIn } from "../../simulators/idp/sign-in.ts";
import { demoCommand } from "../../src/cli/demo.ts";
import type { DemoServing } from "../../src/cli/demo-serve.ts";
import { titleOf, WebClient } from "../support/web-client.ts";
import { captureIo } from "./capture.ts";

const stop = new AbortController();
const cli = captureIo();
let serving: DemoServing;
let exited: Promise<number>;

beforeAll(async () => {
  const started = new Promise<DemoServing>((resolve, reject) => {
    exited = demoCommand(["--serve", "--port", "0", "--idp-port", "0"], cli.io, {
      stop: stop.signal,
      onServing: resolve,
    });
    exited.then(() => reject(new Error(`the demo ended before serving: ${cli.stderr.text}`)), reject);
  });
  serving = await started;
  // Every job the store's unfinished work and outbox call for has run (no timing involved).
  await serving.idle();
}, 120_000);

afterAll(async () => {
  stop.abort();
  await exited;
});

interface Conflict {
  severity: string;
  state: string;
}

async function api<T>(path: string, token: string): Promise<T> {
  const res = await fetch(`${serving.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

describe("bridge demo --serve", () => {
  it("runs the demo as before, then prints where to sign in, as whom and with what password", () => {
    expect(cli.stdout.text).toContain("The store now holds:");
    expect(cli.stdout.text).toContain(`The review screen and the API are running on ${serving.url}`);
    expect(cli.stdout.text).toContain(`Sign in at ${serving.url} as data.team.1`);
    expect(cli.stdout.text).toContain(`password ${serving.password}`);
    for (const name of [
      "probation.officer",
      "police.essex",
      "data.team.1",
      "data.team.2",
      "admin.user",
      "auditor.user",
    ]) {
      expect(cli.stdout.text).toContain(name);
    }
    expect(serving.url).toMatch(/^http:\/\/localhost:\d+$/);
  });

  it("signs a person in through the identity provider's form and shows the start page over the demo's data, as the API does", async () => {
    const browser = new WebClient();
    const home = await browser.signIn(`${serving.url}/`, {
      username: "data.team.1",
      password: serving.password,
    });
    expect(home.status).toBe(200);
    expect(home.url).toBe(`${serving.url}/`);
    expect(titleOf(home.html)).toBe("Home - OASys–ARMS bridge");
    expect(home.html).toContain("data.team.1");

    const token = await passwordSignIn(serving.issuer, {
      username: "data.team.1",
      password: serving.password,
    });
    const conflicts: Conflict[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/conflicts?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page: { items: Conflict[]; nextCursor: string | null } = await api(query, token);
      conflicts.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const live = conflicts.filter((c) => c.state === "OPEN" || c.state === "ACKNOWLEDGED");
    expect(live.length).toBeGreaterThan(0);
    // The start page's table counts what the API lists, severity by severity.
    for (const severity of ["BLOCK", "WARN"]) {
      const count = live.filter((c) => c.severity === severity).length;
      const tag = severity === "BLOCK" ? "Blocks push" : "To review";
      expect(home.html, severity).toMatch(
        new RegExp(`${tag}\\s*</strong>\\s*</td>\\s*<td[^>]*>\\s*${count}\\s*</td>`),
      );
    }
  });

  it("has pushed, in process and from the store's outbox, what the demo queued, and the agencies received it", async () => {
    const token = await passwordSignIn(serving.issuer, {
      username: "admin.user",
      password: serving.password,
    });
    const delivered = await api<{ items: { recipient: string; state: string }[] }>(
      "/v1/deliveries?state=DELIVERED&limit=200",
      token,
    );
    const pending = await api<{ items: unknown[] }>(
      "/v1/deliveries?state=PENDING&state=IN_FLIGHT&limit=200",
      token,
    );
    expect(delivered.items.length).toBeGreaterThan(0);
    expect(pending.items).toEqual([]);
    for (const recipient of ["ARMS", "OASYS"]) {
      const received = (await (
        await fetch(`${serving.agenciesUrl}/__received?recipient=${recipient}`)
      ).json()) as {
        received: unknown[];
      };
      const sent = delivered.items.filter((d) => d.recipient === recipient).length;
      expect(received.received.length, recipient).toBe(sent);
    }
  });

  it("stops everything on the signal, exit 0", async () => {
    stop.abort();
    expect(await exited).toBe(0);
    await expect(fetch(`${serving.url}/health`)).rejects.toThrow();
    await expect(fetch(`${serving.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
    expect(cli.stdout.text).toContain("bridge demo: stopping");
  });
});

describe("bridge demo options", () => {
  it("refuses --port without --serve, and a port that is not one", async () => {
    for (const args of [
      ["--port", "3000"],
      ["--serve", "--port", "70000"],
      ["--serve", "--idp-port", "x"],
    ]) {
      const io = captureIo();
      expect(await demoCommand(args, io.io), args.join(" ")).toBe(1);
      expect(io.stderr.text).toContain("--port and --idp-port take 0 to 65535, with --serve only");
      expect(io.stdout.text).toBe("");
    }
  });
});
