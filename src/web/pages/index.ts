/**
 * Every page the web has (the sign-in routes aside: src/web/sign-in.ts). A new page: a file here exporting
 * a `Page` (page.ts explains the convention), listed below, its template in src/web/views/pages/, and its
 * route under `pages.routes` in mappings/access-policy.yaml (the service does not start otherwise).
 */
import { AUDIT_PAGES } from "./audit.ts";
import { conflictDecisionPage } from "./conflict-decision.ts";
import { conflictDetailPage } from "./conflict-detail.ts";
import { conflictQueuePage } from "./conflict-queue.ts";
import { dashboardPage } from "./dashboard.ts";
import { homePage } from "./home.ts";
import { OPERATIONS_PAGES } from "./operations.ts";
import type { Page } from "./page.ts";
import { PERSON_PAGES } from "./persons.ts";

export const PAGES: readonly Page[] = [
  homePage,
  ...PERSON_PAGES,
  dashboardPage,
  conflictQueuePage,
  conflictDetailPage,
  conflictDecisionPage,
  ...OPERATIONS_PAGES,
  ...AUDIT_PAGES,
];
