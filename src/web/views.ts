/**
 * Templates and assets: where they are and how they are served (the convention of HMPPS services).
 *
 * - Nunjucks looks in src/web/views/ (layout.njk, pages/, errors/, macros/), then in GOV.UK Frontend's and
 *   MoJ Frontend's own folders, so `{% from "govuk/components/tag/macro.njk" import govukTag %}` and
 *   `{% from "moj/components/badge/macro.njk" import mojBadge %}` work as in their documentation.
 *   Autoescaping is on; the shared filters are filters.ts's.
 * - Assets are the packages' precompiled files, served from node_modules (no build step, no CDN):
 *   `/assets/` the fonts and images both stylesheets ask for (GOV.UK's, MoJ's, and src/web/assets/ with the
 *   one script of the web's own, init.mjs), `/assets/govuk/` and `/assets/moj/` only the minified CSS and
 *   JavaScript (and their source maps) of each package.
 * - GOV.UK's page template sets the `js-enabled` class with one inline script; the pages' CSP allows that
 *   script by its hash (computed here from the template the package ships) and no other inline script.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import view from "@fastify/view";
import type { FastifyInstance } from "fastify";
import nunjucks from "nunjucks";
import { FILTERS } from "./filters.ts";

const require = createRequire(import.meta.url);
export const GOVUK_ROOT = join(dirname(require.resolve("govuk-frontend/package.json")), "dist");
export const MOJ_ROOT = dirname(require.resolve("@ministryofjustice/frontend/package.json"));
export const VIEWS_DIR = fileURLToPath(new URL("./views/", import.meta.url));
export const WEB_ASSETS_DIR = fileURLToPath(new URL("./assets/", import.meta.url));

export const SERVICE_NAME = "OASys–ARMS bridge";

/** The files served under /assets/govuk/ and /assets/moj/: the packages' compiled CSS and JavaScript. */
const COMPILED = /^\/?(govuk-frontend|moj-frontend)\.min\.(css|js)(\.map)?$/;

/** The CSP source of each inline script in GOV.UK Frontend's page template ('sha256-...'). */
export function templateScriptHashes(): string[] {
  const template = readFileSync(join(GOVUK_ROOT, "govuk", "template.njk"), "utf8");
  return [...template.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map(
    ([, body]) =>
      `'sha256-${createHash("sha256")
        .update(body ?? "", "utf8")
        .digest("base64")}'`,
  );
}

/** The Nunjucks environment's set-up: the shared filters and globals. */
export function configureNunjucks(env: nunjucks.Environment): void {
  for (const [name, filter] of Object.entries(FILTERS)) env.addFilter(name, filter);
  env.addGlobal("serviceName", SERVICE_NAME);
}

/**
 * Registers @fastify/view (reply.viewAsync) and the assets at the app's root: the pages, the error pages
 * of unknown URLs and the root's handlers all render with it.
 */
export function registerViews(app: FastifyInstance): void {
  app.register(view, {
    engine: { nunjucks },
    templates: [VIEWS_DIR, GOVUK_ROOT, MOJ_ROOT],
    options: { autoescape: true, throwOnUndefined: false, onConfigure: configureNunjucks },
  });
  const assets = { maxAge: 24 * 3600 * 1000, index: false, schemaHide: true, serveDotFiles: false } as const;
  app.register(fastifyStatic, {
    ...assets,
    root: [join(GOVUK_ROOT, "govuk", "assets"), join(MOJ_ROOT, "moj", "assets"), WEB_ASSETS_DIR],
    prefix: "/assets/",
  });
  app.register(fastifyStatic, {
    ...assets,
    root: join(GOVUK_ROOT, "govuk"),
    prefix: "/assets/govuk/",
    decorateReply: false,
    allowedPath: (path) => COMPILED.test(path),
  });
  app.register(fastifyStatic, {
    ...assets,
    root: join(MOJ_ROOT, "moj"),
    prefix: "/assets/moj/",
    decorateReply: false,
    allowedPath: (path) => COMPILED.test(path),
  });
}
