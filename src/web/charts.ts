/**
 * Charts for the web pages, drawn on the server as SVG by Vega-Lite (the specification) and Vega's own
 * renderer (`View.toSVG()` with `renderer: "none"`: no browser, no canvas, no DOM), then put in the page as
 * inline SVG. Every chart is an image with an accessible name and description (`role="img"`, `<title>`
 * and `<desc>` referenced by `aria-labelledby`/`aria-describedby`), and every page that shows one also
 * shows a GOV.UK table with the same numbers (the chart is never the only way to read them).
 *
 * Why Vega-Lite + Vega: a declarative, widely used and maintained grammar whose renderer writes an SVG
 * string in Node with no DOM at all, and whose SVG uses presentation attributes only: no `style`
 * attribute and no `<style>` element, so it passes the pages' Content-Security-Policy (style-src 'self')
 * as it is. Observable Plot needs a DOM (jsdom or linkedom) on the server and writes a `<style>` element
 * into every chart, which that policy refuses. Versions: vega 6.4 and vega-lite 6.4 (vega-lite 6.5 and
 * later need Node 22; this service runs on Node 20).
 */

import { parse, View } from "vega";
import type { TopLevelSpec } from "vega-lite";
import { compile } from "vega-lite";
import type { DayCount } from "../store/repositories/dashboard.ts";

/** GOV.UK colours with at least 3:1 contrast on white (WCAG 1.4.11), for series. */
export const PALETTE = ["#1d70b8", "#d4351c", "#505a5f", "#00703c", "#912b88", "#b58840", "#0b0c0c"];

export interface ChartInput {
  /** Unique on the page; the SVG's title and description ids derive from it. */
  id: string;
  /** The chart's accessible name (also its visible caption on the page). */
  title: string;
  /** What the chart shows, in words, for those who cannot see it. */
  description: string;
  /** A Vega-Lite specification without `data`'s provenance: the values are given inline. */
  spec: TopLevelSpec;
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The chart's font: GOV.UK's, as the page around it (the page's stylesheet provides it). */
const CONFIG = {
  font: '"GDS Transport", arial, sans-serif',
  background: "white",
  axis: { labelFontSize: 14, titleFontSize: 14, labelColor: "#0b0c0c", titleColor: "#0b0c0c" },
  legend: { labelFontSize: 14, titleFontSize: 14, labelColor: "#0b0c0c", titleColor: "#0b0c0c" },
  range: { category: PALETTE },
  view: { stroke: "#b1b4b6" },
};

/**
 * The chart as an inline SVG string: Vega's output with `role="img"`, the title and description as its
 * first children, and nothing else of its own given a role (the image is one graphic to assistive
 * technology; the table beside it holds the numbers).
 */
export async function renderChart(input: ChartInput): Promise<string> {
  const spec = { ...input.spec, config: { ...CONFIG, ...(input.spec.config ?? {}) } } as TopLevelSpec;
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    const titleId = `${input.id}-title`;
    const descId = `${input.id}-desc`;
    const open = svg.indexOf(">");
    if (!svg.startsWith("<svg") || open < 0) throw new Error("the chart renderer gave no SVG");
    const head = svg
      .slice(0, open)
      .replace(/\sclass="marks"/, ' class="bridge-chart__svg"')
      .concat(
        ` id="${escapeXml(input.id)}" role="img" focusable="false"`,
        ` aria-labelledby="${escapeXml(titleId)}" aria-describedby="${escapeXml(descId)}">`,
      );
    const labels = `<title id="${escapeXml(titleId)}">${escapeXml(input.title)}</title><desc id="${escapeXml(descId)}">${escapeXml(input.description)}</desc>`;
    // Vega marks its groups for assistive technology; inside one image they are noise.
    const body = svg
      .slice(open + 1)
      .replace(/\srole="[^"]*"/g, "")
      .replace(/\saria-[a-z]+="[^"]*"/g, "");
    return `${head}${labels}${body}`;
  } finally {
    view.finalize();
  }
}

/** Day-by-key counts (src/store/repositories/dashboard.ts) as one row per day with a column per key (zero where nothing was counted). */
export function pivot(
  days: readonly string[],
  keys: readonly string[],
  counts: readonly DayCount[],
): number[][] {
  const at = new Map(counts.map((c) => [`${c.day} ${c.key}`, c.count]));
  return days.map((day) => keys.map((key) => at.get(`${day} ${key}`) ?? 0));
}

export const long = (
  days: readonly string[],
  keys: readonly string[],
  table: number[][],
  name: (k: string) => string,
) => days.flatMap((day, i) => keys.map((key, j) => ({ day, series: name(key), count: table[i]?.[j] ?? 0 })));

/** A chart of counts per day, one series per key, in the colours given (name -> colour, legend order). */
export function timeSeries(
  id: string,
  title: string,
  description: string,
  values: { day: string; series: string; count: number }[],
  mark: "line" | "bar",
  legend: string,
  colours: readonly (readonly [string, string])[],
): ChartInput {
  const scale = { domain: colours.map(([name]) => name), range: colours.map(([, colour]) => colour) };
  return {
    id,
    title,
    description,
    spec: {
      width: 640,
      height: 220,
      data: { values },
      mark: mark === "line" ? { type: "line", point: { size: 40 }, strokeWidth: 2 } : { type: "bar" },
      encoding: {
        x: {
          field: "day",
          type: "temporal",
          timeUnit: "yearmonthdate",
          title: "Day",
          axis: { format: "%-d %b", labelAngle: 0 },
        },
        y: {
          field: "count",
          type: "quantitative",
          title: "Count",
          axis: { format: "d", tickMinStep: 1 },
          ...(mark === "bar" ? { stack: "zero" } : {}),
        },
        color: { field: "series", type: "nominal", title: legend, scale },
        ...(mark === "line"
          ? { shape: { field: "series", type: "nominal", title: legend, scale: { domain: scale.domain } } }
          : {}),
      },
    },
  };
}
