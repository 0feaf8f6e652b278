import { describe, expect, it } from "vitest";
import {
  applyFaultChanges,
  FaultInjector,
  FaultSpecError,
  NO_FAULTS,
  parseFaultSpec,
  seededRandom,
} from "../../simulators/faults.ts";

describe("fault spec", () => {
  it("reads the CLI spec into settings", () => {
    const s = applyFaultChanges(
      NO_FAULTS,
      parseFaultSpec(
        "5xx=0.2, 429=0.1,retry-after=3,timeout=0.01,reset=0.02,lost=0.03,latency=50~20,status=502,scope=arms+oasys,next=reset+429",
      ),
    );
    expect(s).toEqual({
      latencyMs: 50,
      jitterMs: 20,
      rates: { "5xx": 0.2, "429": 0.1, timeout: 0.01, reset: 0.02, lost: 0.03 },
      errorStatus: 502,
      retryAfterS: 3,
      scope: ["arms", "oasys"],
      next: ["reset", "429"],
    });
  });

  it("takes the same names as JSON, and clear starts from no faults", () => {
    const on = applyFaultChanges(NO_FAULTS, { "5xx": 0.5, scope: ["token"], next: ["timeout"] });
    expect(on.rates["5xx"]).toBe(0.5);
    const off = applyFaultChanges(on, { clear: true, "429": 1 });
    expect(off).toEqual({ ...NO_FAULTS, rates: { ...NO_FAULTS.rates, "429": 1 } });
  });

  it.each([
    ["5xx=2", /5xx must be a rate/],
    ["latency=-1", /latency must be a whole number/],
    ["status=404", /status must be a whole number from 500/],
    ["scope=police", /'police' is not one of/],
    ["next=explode", /'explode' is not one of/],
    ["typo=1", /unknown fault setting 'typo'/],
    ["5xx", /is not key=value/],
  ])("refuses %s with a precise message", (spec, message) => {
    expect(() => applyFaultChanges(NO_FAULTS, parseFaultSpec(spec))).toThrow(FaultSpecError);
    expect(() => applyFaultChanges(NO_FAULTS, parseFaultSpec(spec))).toThrow(message);
  });

  it("never changes the settings it was given", () => {
    const before = structuredClone(NO_FAULTS);
    applyFaultChanges(NO_FAULTS, { "5xx": 1, next: ["reset"] });
    expect(NO_FAULTS).toEqual(before);
  });
});

describe("fault decisions", () => {
  const run = (injector: FaultInjector, n: number) =>
    Array.from({ length: n }, () => injector.decide("arms"));

  it("replays the same decisions for the same seed, and others for another seed", () => {
    const spec = { "5xx": 0.3, "429": 0.2, reset: 0.05, latency: "10~40" };
    const a = run(new FaultInjector(applyFaultChanges(NO_FAULTS, spec), 7), 200);
    const b = run(new FaultInjector(applyFaultChanges(NO_FAULTS, spec), 7), 200);
    const c = run(new FaultInjector(applyFaultChanges(NO_FAULTS, spec), 8), 200);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const d of a) expect(d.delayMs).toBeGreaterThanOrEqual(10);
    for (const d of a) expect(d.delayMs).toBeLessThanOrEqual(50);
  });

  it("draws faults at about the configured rates", () => {
    const injector = new FaultInjector(applyFaultChanges(NO_FAULTS, { "5xx": 0.25 }), 42);
    const faults = run(injector, 2000).filter((d) => d.fault === "5xx").length;
    expect(faults).toBeGreaterThan(400);
    expect(faults).toBeLessThan(600);
  });

  it("serves one-shot faults first, in order, then goes back to the rates", () => {
    const injector = new FaultInjector(NO_FAULTS, 1);
    injector.update({ next: "reset+429+lost" });
    expect(run(injector, 4).map((d) => d.fault)).toEqual(["reset", "429", "lost", null]);
    expect(injector.settings.next).toEqual([]);
    expect(injector.injected).toEqual({ "5xx": 0, "429": 1, timeout: 0, reset: 1, lost: 1 });
  });

  it("leaves targets outside the scope alone, without using up one-shot faults", () => {
    const injector = new FaultInjector(applyFaultChanges(NO_FAULTS, { "5xx": 1, next: ["reset"] }), 1);
    expect(injector.decide("token")).toEqual({ delayMs: 0, fault: null });
    expect(injector.decide("ords").fault).toBe("reset");
    expect(injector.decide("oasys").fault).toBe("5xx");
  });

  it("reseeding restarts the sequence", () => {
    const injector = new FaultInjector(applyFaultChanges(NO_FAULTS, { "5xx": 0.5 }), 3);
    const first = run(injector, 50);
    injector.update({}, 3);
    expect(run(injector, 50)).toEqual(first);
  });

  it("the PRNG is uniform enough to trust in tests", () => {
    const next = seededRandom(123);
    const values = Array.from({ length: 10_000 }, next);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});
