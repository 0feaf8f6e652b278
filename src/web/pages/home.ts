/**
 * The start page, after signing in: who you are (your user id, roles, agency, force), the pages your role
 * may use (from the access policy) and what it may call through the API; for the data team, the open
 * conflicts by severity (the repository the metrics read). The example of the page convention (page.ts).
 */
import { allows } from "../../auth/policy.ts";
import { hasRole, type Principal } from "../../auth/principal.ts";
import type { Severity } from "../../core/conflicts/types.ts";
import { OPERATIONS } from "../../http/openapi.ts";
import type { Db } from "../../store/index.ts";
import { countLiveConflicts } from "../../store/repositories/conflicts.ts";
import type { Page, PageModel, WebDeps } from "./page.ts";
import { pageTitle } from "./page.ts";

export interface HomeModel extends PageModel {
  subject: string;
  roles: string[];
  agency: string | null;
  force: string | null;
  laoAccess: boolean;
  /** Pages the person may use besides this one. */
  pages: { text: string; href: string }[];
  /** API routes the person's roles may call (`METHOD /path`), as the policy names them. */
  api: string[];
  /** Open and acknowledged conflicts by severity, for the data team; null for other roles. */
  conflicts: { severity: Severity; count: number }[] | null;
  /** When the counts were read (an ISO instant, shown in London time). */
  asOf: string;
}

const SEVERITIES: readonly Severity[] = ["BLOCK", "WARN", "INFO"];

async function conflictsBySeverity(db: Db): Promise<{ severity: Severity; count: number }[]> {
  const counts = new Map<Severity, number>();
  for (const row of await countLiveConflicts(db)) {
    counts.set(row.severity, (counts.get(row.severity) ?? 0) + row.count);
  }
  return SEVERITIES.map((severity) => ({ severity, count: counts.get(severity) ?? 0 }));
}

/** The view model; `links` are the pages the person may see (layoutFor's navigation). */
export async function homeModel(
  deps: WebDeps,
  principal: Principal,
  links: readonly { text: string; href: string }[],
  now: Date,
): Promise<HomeModel> {
  const api = Object.entries(OPERATIONS)
    .filter(([key, op]) => {
      if (op.public) return false;
      const [method = "", url = ""] = key.split(" ");
      const rule = deps.policy.rule(method, url);
      return rule !== null && allows(rule, principal);
    })
    .map(([key]) => key);
  return {
    title: pageTitle("Home"),
    subject: principal.subject,
    roles: principal.roles,
    agency: principal.agency,
    force: principal.force,
    laoAccess: principal.laoAccess,
    pages: links.filter((l) => l.href !== "/"),
    api,
    // Totals across every person: the data team's view. Other roles see their own records only (field
    // visibility and force scoping), so a count across everyone is not theirs to see.
    conflicts: hasRole(principal, "DATA_TEAM") ? await conflictsBySeverity(deps.api.db) : null,
    asOf: now.toISOString(),
  };
}

export const homePage: Page = {
  method: "GET",
  url: "/",
  nav: { text: "Home", order: 0 },
  async handle({ principal, deps, now, layout }) {
    return { view: "pages/home.njk", model: await homeModel(deps, principal, layout.navigation, now) };
  },
};
