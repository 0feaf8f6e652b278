/** `bridge simulate`: flags reach the running simulators; bad flags are refused before anything starts. */
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { HELP, simulateCommand } from "../../src/cli/simulate.ts";
import { captureIo } from "../cli/capture.ts";

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("bridge simulate", () => {
  it("runs until stopped, with the faults, seed, data and credentials it was given", async () => {
    const { io, stdout, stderr } = captureIo();
    const stop = new AbortController();
    const run = simulateCommand(
      [
        "--port",
        "0",
        "--faults",
        "429=1,retry-after=4,scope=arms",
        "--seed",
        "9",
        "--data",
        "examples/pairs/matched-consistent",
        "--client-id",
        "police-bridge",
        "--client-secret",
        "s3cret",
        "--token-ttl",
        "30",
        "--ords-open",
      ],
      io,
      stop.signal,
    );
    const url = await until(() => /listening on (http:\S+)/.exec(stdout.text)?.[1], "the listening line");
    expect(stdout.text).toContain("ORDS: 1 assessments from 1 files");
    // The identity provider runs beside them, on a port of its own (any free one, with --port 0).
    const issuer = await until(
      () => /identity provider: issuer (http:\S+)/.exec(stdout.text)?.[1],
      "the issuer",
    );
    expect(issuer).not.toBe(url);
    const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    expect(discovery).toMatchObject({ issuer, jwks_uri: `${issuer}/jwks` });

    expect(await (await fetch(`${url}/__faults`)).json()).toMatchObject({
      seed: 9,
      rates: { "429": 1 },
      retryAfterS: 4,
      scope: ["arms"],
    });
    const token = await fetch(`${url}/oauth/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: "police-bridge",
        client_secret: "s3cret",
      }),
    });
    expect(await token.json()).toMatchObject({ expires_in: 30 });
    expect((await fetch(`${url}/eor/oasys/ass/section1/ALLOW/9640101`)).status).toBe(200);
    expect((await fetch(`${url}/arms/v1/prefilled-assessments`, { method: "POST" })).status).toBe(429);
    // One line per agency request, naming the route and never the path (paths hold CRNs).
    expect(stderr.text).toContain("simulate: GET ords:section1 200");
    expect(stderr.text).toContain("simulate: POST push:ARMS 429 [fault 429]");
    expect(stderr.text).not.toContain("9640101");

    stop.abort();
    expect(await run).toBe(0);
    expect(stdout.text).toContain("bridge simulate: stopped");
  });

  it.each([
    [["--faults", "5xx=3"], "--faults: 5xx must be a rate from 0 to 1"],
    [["--port", "70000"], "--port must be 0 to 65535"],
    [["--idempotency", "maybe"], "--idempotency must be replay or conflict"],
    [["--token-ttl", "0"], "--token-ttl must be a whole number of seconds"],
    [["--colour"], "unknown option '--colour'"],
    [["--data", "no/such/dir"], "--data must be a directory"],
    [["--idp-port", "70000"], "--idp-port must be 0 to 65535"],
    [["--idp-issuer", "localhost:9091"], "--idp-issuer must be an http(s) URL"],
  ])("refuses %j", async (argv, message) => {
    const { io, stderr } = captureIo();
    expect(await simulateCommand(argv, io, AbortSignal.abort())).toBe(1);
    expect(stderr.text).toContain(message);
  });

  it("is listed by `bridge --help` and explains itself with --help", async () => {
    const listed = captureIo();
    await main(["--help"], listed.io);
    expect(listed.stdout.text).toMatch(/simulate\s+run the simulated agencies/);
    const help = captureIo();
    expect(await main(["simulate", "--help"], help.io)).toBe(0);
    expect(help.stdout.text).toBe(HELP);
  });
});
