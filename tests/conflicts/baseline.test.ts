import { describe, expect, it } from "vitest";
import { evaluateConflicts } from "../../src/core/conflicts/engine.ts";
import { context, THRESHOLDS } from "./builders.ts";

describe("a matched pair whose assessments agree", () => {
  it("raises no conflict at all", () => {
    expect(evaluateConflicts(context(), THRESHOLDS)).toEqual([]);
  });
});
