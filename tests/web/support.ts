/**
 * The app with the web pages mounted (buildApp with AppDeps.web), listening on a free port of 127.0.0.1 so
 * that the run's identity provider (tests/setup/services.ts, with its seeded `bridge-web` client) can send
 * a browser back to it, on a PostgreSQL schema of its own (tests/http/support.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "../../src/web/pages/page.ts";
import { webSettings } from "../../src/web/settings.ts";
import { type TestApp, testApp, testAuth } from "../http/support.ts";
import { testIdp } from "../support/tokens.ts";

export interface WebTestApp extends TestApp {
  base: string;
}

export interface WebTestOptions {
  now?: () => Date;
  /** The pages (default: the bundled ones); a page of a test's own needs `pageRules` (under pages.routes). */
  pages?: Page[];
  pageRules?: string;
  /** Edits the bundled policy text (e.g. dropping an authority). */
  policy?: (text: string) => string;
  idleS?: number;
  maxS?: number;
}

const dir = mkdtempSync(join(tmpdir(), "web-policy-"));

export async function webApp(options: WebTestOptions = {}): Promise<WebTestApp> {
  let policyPath: string | undefined;
  if (options.pageRules || options.policy) {
    let text = readFileSync("mappings/access-policy.yaml", "utf8");
    if (options.pageRules) text = text.replace(/^ {2}routes:\n/m, `  routes:\n${options.pageRules}`);
    if (options.policy) text = options.policy(text);
    policyPath = join(dir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(policyPath, text);
  }
  const address = { host: "127.0.0.1", port: 0 };
  const settings = webSettings(
    {
      auth: {
        issuer: testIdp().issuer,
        jwksUrl: null,
        audience: "oasys-arms-bridge",
        clockSkewS: 30,
        policyPath: null,
      },
      web: {
        clientId: null,
        clientSecret: null,
        sessionSecret: null,
        sessionIdleS: options.idleS ?? 1800,
        sessionMaxS: options.maxS ?? 28_800,
      },
      environment: "development",
      http: { host: address.host, port: 0, bodyLimitBytes: 1024, publicBaseUrl: null },
    },
    () => address,
  );
  const t = await testApp({
    web: { settings, ...(options.pages ? { pages: options.pages } : {}) },
    auth: testAuth(policyPath ? { policyPath } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  await t.app.listen({ host: address.host, port: 0 });
  address.port = (t.app.server.address() as AddressInfo).port;
  return { ...t, base: `http://${address.host}:${address.port}` };
}

/** A seeded person's credentials at the run's identity provider. */
export const person = (username: string) => ({ username, password: testIdp().password });
