/**
 * The dashboard (data team and administrators): live conflicts by severity over time and by rule now, how
 * long decisions take, pre-fill coverage, push health and dead letters. Each chart is drawn on the server
 * as accessible SVG (src/web/charts.ts) beside a GOV.UK table with the same numbers.
 *
 *   handle -> the store's counts (src/store/repositories/dashboard.ts; countLiveConflicts, the metrics'
 *   own; prefillTotals, the one definition of a pre-filled field) -> dashboardModel (pure: tables and chart
 *   specifications) -> the charts rendered -> pages/dashboard.njk
 */

import type { ArmsDraft } from "../../core/arms/draft.ts";
import type { Severity } from "../../core/conflicts/types.ts";
import { formatPerDraft, PREFILLED_FIELD, prefillTotals } from "../../core/mapping/prefilled.ts";
import type { Mapping } from "../../core/mapping/spec.ts";
import { prefilledFields } from "../../core/mapping/summary.ts";
import { countLiveConflicts } from "../../store/repositories/conflicts.ts";
import {
  attemptsByDay,
  type DayCount,
  type DeadLetterCount,
  type DecisionWeek,
  deadLetterCounts,
  deadLettersByDay,
  decisionTimes,
  latestDrafts,
  liveConflictsByDay,
  type OutboxCount,
  outboxCounts,
} from "../../store/repositories/dashboard.ts";
import { type ChartInput, long, pivot, renderChart, timeSeries } from "../charts.ts";
import type { Page, PageModel } from "./page.ts";
import { pageTitle } from "./page.ts";

/** Days of history in the day-by-day charts, weeks in the decision chart, drafts read for coverage. */
export const DAYS = 28;
export const WEEKS = 12;
export const DRAFTS_READ = 1000;

export interface DashboardData {
  now: string;
  liveByDay: DayCount<Severity>[];
  liveByRule: { ruleId: string; severity: Severity; count: number }[];
  decisions: DecisionWeek[];
  /** Pre-filled fields of each draft read (the most recent draft of the most recently reconciled persons). */
  drafts: ArmsDraft[];
  outbox: OutboxCount[];
  attempts: DayCount[];
  deadLetters: DeadLetterCount[];
  deadLettersByDay: DayCount[];
}

export interface Table {
  caption: string;
  head: { text: string; numeric?: boolean }[];
  rows: (string | number)[][];
}

export interface DashboardSection {
  id: string;
  heading: string;
  summary: string[];
  chart: ChartInput | null;
  tables: Table[];
}

export interface DashboardModel extends PageModel {
  asOf: string;
  sections: DashboardSection[];
}

const SEVERITIES: readonly Severity[] = ["BLOCK", "WARN", "INFO"];
const SEVERITY_NAMES: Readonly<Record<Severity, string>> = {
  BLOCK: "Blocks push",
  WARN: "To review",
  INFO: "Information",
};

const total = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function conflictsSection(data: DashboardData, days: string[]): DashboardSection {
  const live = pivot(days, SEVERITIES, data.liveByDay);
  const today = live[live.length - 1] ?? [0, 0, 0];
  const name = (k: string) => SEVERITY_NAMES[k as Severity] ?? k;
  const rules = [...new Set(data.liveByRule.map((r) => r.ruleId))].sort();
  const ruleCount = (ruleId: string, s: Severity) =>
    data.liveByRule.find((r) => r.ruleId === ruleId && r.severity === s)?.count ?? 0;
  return {
    id: "conflicts",
    heading: "Open conflicts",
    summary: [
      `${total(today)} open now: ${SEVERITIES.map((s, i) => `${today[i]} ${name(s).toLowerCase()}`).join(", ")}.`,
      "Open means not yet resolved, dismissed or closed (acknowledged conflicts are still open).",
    ],
    chart: timeSeries(
      "chart-conflicts",
      `Open conflicts at the end of each day, last ${DAYS} days, by severity`,
      `A line per severity (blocks push, to review, information) giving how many conflicts were open at the end of each of the last ${DAYS} days. The same numbers are in the table below the chart.`,
      long(days, SEVERITIES, live, name),
      "line",
      "Severity",
      [
        [name("BLOCK"), "#d4351c"],
        [name("WARN"), "#b35900"],
        [name("INFO"), "#505a5f"],
      ],
    ),
    tables: [
      {
        caption: "Open conflicts by rule and severity now",
        head: [
          { text: "Rule" },
          ...SEVERITIES.map((s) => ({ text: name(s), numeric: true })),
          { text: "All", numeric: true },
        ],
        rows: rules.map((r) => {
          const counts = SEVERITIES.map((s) => ruleCount(r, s));
          return [r, ...counts, total(counts)];
        }),
      },
      {
        caption: `Open conflicts at the end of each day, last ${DAYS} days`,
        head: [{ text: "Day" }, ...SEVERITIES.map((s) => ({ text: name(s), numeric: true }))],
        rows: days.map((day, i) => [day, ...(live[i] ?? [])]),
      },
    ],
  };
}

function decisionsSection(data: DashboardData): DashboardSection {
  const rows = data.decisions;
  return {
    id: "decisions",
    heading: "Time to decision",
    summary: [
      rows.length
        ? `${total(rows.map((r) => r.decisions))} decisions in the last ${WEEKS} weeks.`
        : `No decisions in the last ${WEEKS} weeks.`,
      "Hours from a conflict being opened to a reviewer's decision (acknowledged, resolved or dismissed), by the week of the decision.",
    ],
    chart:
      rows.length === 0
        ? null
        : {
            id: "chart-decisions",
            title: `Median hours to decision per week, last ${WEEKS} weeks`,
            description:
              "A bar per week (by the Monday it starts) giving the median hours from a conflict opening to its decision. The table below the chart has the same numbers with the count and the 90th percentile.",
            spec: {
              width: 640,
              height: 200,
              data: { values: rows.map((r) => ({ week: r.week, hours: r.medianHours })) },
              mark: { type: "bar", color: "#1d70b8" },
              encoding: {
                x: { field: "week", type: "ordinal", title: "Week starting", axis: { labelAngle: 0 } },
                y: { field: "hours", type: "quantitative", title: "Median hours", axis: { tickMinStep: 1 } },
              },
            },
          },
    tables: [
      {
        caption: "Decisions per week",
        head: [
          { text: "Week starting" },
          { text: "Decisions", numeric: true },
          { text: "Median hours", numeric: true },
          { text: "90th percentile hours", numeric: true },
        ],
        rows: rows.map((r) => [r.week, r.decisions, r.medianHours, r.p90Hours]),
      },
    ],
  };
}

function prefillSection(data: DashboardData, mapping: Mapping): DashboardSection {
  const totals = prefillTotals(mapping, data.drafts);
  const perDraft = data.drafts.map((d) => prefilledFields(mapping, d).prefilled);
  const histogram = new Map<number, number>();
  for (const n of perDraft) histogram.set(n, (histogram.get(n) ?? 0) + 1);
  const bins = [...histogram].sort((a, b) => a[0] - b[0]);
  return {
    id: "prefill",
    heading: "Pre-fill coverage",
    summary: totals.drafts
      ? [
          `The latest draft of each of the ${totals.drafts} most recently reconciled people (at most ${DRAFTS_READ}): ${formatPerDraft(totals.perDraft, totals.formFields, totals.fields)}.`,
          `Counted as ${PREFILLED_FIELD}.`,
        ]
      : ["There are no drafts yet."],
    chart:
      bins.length === 0
        ? null
        : {
            id: "chart-prefill",
            title: "Drafts by the number of fields pre-filled",
            description: `A bar per number of pre-filled fields (out of ${totals.formFields} on the ARMS form) giving how many drafts pre-fill that many. The table below the chart has the same numbers.`,
            spec: {
              width: 640,
              height: 200,
              data: { values: bins.map(([fields, drafts]) => ({ fields, drafts })) },
              mark: { type: "bar", color: "#00703c" },
              encoding: {
                x: { field: "fields", type: "ordinal", title: "Fields pre-filled", axis: { labelAngle: 0 } },
                y: {
                  field: "drafts",
                  type: "quantitative",
                  title: "Drafts",
                  axis: { format: "d", tickMinStep: 1 },
                },
              },
            },
          },
    tables: [
      {
        caption: "Drafts by the number of fields pre-filled",
        head: [
          { text: "Fields pre-filled", numeric: true },
          { text: "Drafts", numeric: true },
        ],
        rows: bins.map(([fields, drafts]) => [fields, drafts]),
      },
    ],
  };
}

const OUTCOMES = ["DELIVERED", "ALREADY_HELD", "RETRY", "TIMEOUT", "PERMANENT_FAILURE"];
const OUTBOX_STATES = ["PENDING", "IN_FLIGHT", "DELIVERED", "DEAD", "SUPERSEDED"];
const words = (code: string) => code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, " ");

function pushSection(data: DashboardData, days: string[]): DashboardSection {
  const attempts = pivot(days, OUTCOMES, data.attempts);
  const recipients = ["ARMS", "OASYS"];
  const count = (r: string, s: string) =>
    data.outbox.find((o) => o.recipient === r && o.state === s)?.count ?? 0;
  const dead = total(recipients.map((r) => count(r, "DEAD")));
  const waiting = total(recipients.flatMap((r) => [count(r, "PENDING"), count(r, "IN_FLIGHT")]));
  return {
    id: "push",
    heading: "Push health",
    summary: [`${waiting} messages waiting to be sent, ${dead} that could not be delivered.`],
    chart: timeSeries(
      "chart-push",
      `Delivery attempts per day, last ${DAYS} days, by outcome`,
      `Stacked bars giving, for each of the last ${DAYS} days, how many delivery attempts to ARMS and OASys were delivered, already held, retried, timed out or failed permanently. The same numbers are in the table below the chart.`,
      long(days, OUTCOMES, attempts, words),
      "bar",
      "Outcome",
      [
        [words("DELIVERED"), "#00703c"],
        [words("ALREADY_HELD"), "#1d70b8"],
        [words("RETRY"), "#b35900"],
        [words("TIMEOUT"), "#912b88"],
        [words("PERMANENT_FAILURE"), "#d4351c"],
      ],
    ),
    tables: [
      {
        caption: "Messages by agency and status",
        head: [{ text: "Agency" }, ...OUTBOX_STATES.map((s) => ({ text: words(s), numeric: true }))],
        rows: recipients.map((r) => [
          r === "ARMS" ? "ARMS (police)" : "OASys (probation)",
          ...OUTBOX_STATES.map((s) => count(r, s)),
        ]),
      },
      {
        caption: `Delivery attempts per day, last ${DAYS} days`,
        head: [{ text: "Day" }, ...OUTCOMES.map((o) => ({ text: words(o), numeric: true }))],
        rows: days
          .map((day, i) => [day, ...(attempts[i] ?? [])])
          .filter((row) => total(row.slice(1) as number[]) > 0),
      },
    ],
  };
}

const STAGES = ["INGEST", "RECONCILE", "PUSH"];

function deadLettersSection(data: DashboardData, days: string[]): DashboardSection {
  const byDay = pivot(days, STAGES, data.deadLettersByDay);
  const open = total(data.deadLetters.map((d) => d.open));
  return {
    id: "dead-letters",
    heading: "Dead letters",
    summary: [`${open} open dead letters (work that failed and has been neither replayed nor discarded).`],
    chart: timeSeries(
      "chart-dead-letters",
      `Dead letters written per day, last ${DAYS} days, by stage`,
      `Stacked bars giving, for each of the last ${DAYS} days, how many pieces of work failed permanently at ingest, reconciliation or push. The same numbers are in the table below the chart.`,
      long(days, STAGES, byDay, words),
      "bar",
      "Stage",
      [
        [words("INGEST"), "#1d70b8"],
        [words("RECONCILE"), "#912b88"],
        [words("PUSH"), "#b35900"],
      ],
    ),
    tables: [
      {
        caption: "Dead letters by stage and error",
        head: [
          { text: "Stage" },
          { text: "Error code" },
          { text: "Open", numeric: true },
          { text: "All", numeric: true },
        ],
        rows: data.deadLetters.map((d) => [words(d.stage), d.errorCode, d.open, d.total]),
      },
    ],
  };
}

/** The dashboard's model from what the store counted (pure). */
export function dashboardModel(data: DashboardData, mapping: Mapping): DashboardModel {
  const days = [...new Set(data.liveByDay.map((d) => d.day))].sort();
  return {
    title: pageTitle("Dashboard"),
    asOf: data.now,
    sections: [
      conflictsSection(data, days),
      decisionsSection(data),
      prefillSection(data, mapping),
      pushSection(data, days),
      deadLettersSection(data, days),
    ],
  };
}

export const dashboardPage: Page = {
  method: "GET",
  url: "/dashboard",
  nav: { text: "Dashboard", order: 30 },
  async handle({ deps, now }) {
    const db = deps.api.db;
    const at = now.toISOString();
    const since = new Date(now.getTime() - WEEKS * 7 * 86_400_000).toISOString();
    const [liveByDay, liveByRule, decisions, drafts, outbox, attempts, deadLetters, lettersByDay] =
      await Promise.all([
        liveConflictsByDay(db, at, DAYS),
        countLiveConflicts(db),
        decisionTimes(db, since),
        latestDrafts(db, DRAFTS_READ),
        outboxCounts(db),
        attemptsByDay(db, at, DAYS),
        deadLetterCounts(db),
        deadLettersByDay(db, at, DAYS),
      ]);
    const model = dashboardModel(
      {
        now: at,
        liveByDay,
        liveByRule,
        decisions,
        drafts: drafts
          .map((d) => d.content as ArmsDraft)
          .filter((d) => d && typeof d === "object" && "subject" in d),
        outbox,
        attempts,
        deadLetters,
        deadLettersByDay: lettersByDay,
      },
      deps.api.reconcile.mapping,
    );
    const sections = await Promise.all(
      model.sections.map(async (s) => ({ ...s, svg: s.chart ? await renderChart(s.chart) : null })),
    );
    return { view: "pages/dashboard.njk", model: { ...model, sections } as DashboardModel };
  },
};
