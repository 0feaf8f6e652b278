/**
 * A reviewer's decision from the conflict page (POST /conflicts/:id/decisions, DATA_TEAM people only, CSRF
 * checked by the web before this runs): the API's own `decideFor` (src/pipeline/decide.ts in one
 * transaction, then a push queued per released row), then post/redirect/get to the conflict page, which
 * says what was done and what it released.
 *
 * The form's fields are checked by the API's own schema (DecisionRequest) and the lifecycle's own rules: a
 * missing rationale or decision, the same reviewer twice on a BLOCK (four-eyes), an action the state no
 * longer allows: each comes back as the conflict page with a GOV.UK error summary, never a stack trace.
 */
import { isBridgeError } from "../../errors.ts";
import { type DecisionBody, decideFor } from "../../http/conflict-review.ts";
import { notFound } from "../../http/errors.ts";
import { namedValidator } from "../../http/schemas.ts";
import { type FormErrors, loadDetail } from "./conflict-detail.ts";
import type { Page } from "./page.ts";
import { pageViewer } from "./viewer.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTIONS = ["ACKNOWLEDGE", "RESOLVE", "DISMISS"] as const;

export interface DecisionForm {
  action: string | null;
  decision: string;
  rationale: string;
}

export function readDecisionForm(body: unknown): DecisionForm {
  const fields = (body ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" ? v.replace(/\r\n/g, "\n") : "");
  const action = text(fields.action);
  return { action: action || null, decision: text(fields.decision), rationale: text(fields.rationale) };
}

const field = (name: "action" | "decision" | "rationale", text: string): FormErrors => ({
  items: [{ href: `#${name}`, text }],
  [name]: text,
});

/**
 * The form's errors before anything is decided: no action chosen, or what the API's DecisionRequest schema
 * refuses (too long); null when the request goes to the lifecycle. Empty fields are left out of the body
 * (the schema wants at least one character): the lifecycle then says which one it needs.
 */
export function formErrors(form: DecisionForm): FormErrors | null {
  if (!form.action || !(ACTIONS as readonly string[]).includes(form.action))
    return field("action", "Select what you want to do");
  const validate = namedValidator("DecisionRequest");
  if (validate(bodyOf(form))) return null;
  const error = validate.errors?.[0];
  const name = error?.instancePath === "/decision" ? "decision" : "rationale";
  const limit = (error?.params as { limit?: number } | undefined)?.limit;
  const label = name === "decision" ? "Decision" : "Rationale";
  return field(
    name,
    limit
      ? `${label} must be ${limit.toLocaleString("en-GB")} characters or fewer`
      : `Enter a valid ${label.toLowerCase()}`,
  );
}

export function bodyOf(form: DecisionForm): DecisionBody {
  return {
    action: form.action as DecisionBody["action"],
    ...(form.decision.trim() ? { decision: form.decision } : {}),
    ...(form.rationale.trim() ? { rationale: form.rationale } : {}),
  };
}

/** The lifecycle's refusal as the form's error; null for an error that is not the reviewer's to fix. */
export function refusal(error: unknown, action: string | null): FormErrors | null {
  if (!isBridgeError(error)) return null;
  switch (error.code) {
    case "BRIDGE_E_DECISION_INCOMPLETE":
      return /needs a decision/.test(error.message)
        ? field("decision", "Enter what was decided")
        : field(
            "rationale",
            `Enter why you are ${action === "DISMISS" ? "dismissing" : "resolving"} this conflict`,
          );
    case "BRIDGE_E_FOUR_EYES":
      return {
        items: [
          {
            href: "#four-eyes",
            text: "You gave the first review of this conflict. A different member of the data team must give the second",
          },
        ],
      };
    case "BRIDGE_E_CONFLICT_TRANSITION":
      return {
        items: [
          {
            href: "#decision-form",
            text: "This conflict changed since you opened it. Check its state and history, then choose again",
          },
        ],
      };
    default:
      return null;
  }
}

export const conflictDecisionPage: Page = {
  method: "POST",
  url: "/conflicts/:id/decisions",
  async handle(ctx) {
    const { id } = ctx.request.params as { id: string };
    if (!UUID.test(id)) notFound("conflict");
    const form = readDecisionForm(ctx.request.body);
    const again = async (errors: FormErrors, status: number) => ({
      view: "pages/conflict-detail.njk",
      model: await loadDetail(ctx, id, { done: null, form: { ...form, errors } }),
      status,
    });
    const invalid = formErrors(form);
    if (invalid) return again(invalid, 400);
    try {
      const result = await decideFor(
        ctx.deps.api,
        // The viewer of this page (DATA_TEAM): a conflict the reviewer may not see is not there.
        pageViewer(ctx),
        ctx.principal,
        id,
        bodyOf(form),
        { correlationId: ctx.request.id, log: ctx.request.log },
      );
      return { redirect: `/conflicts/${id}?done=${result.event.action.toLowerCase()}` };
    } catch (error) {
      const errors = refusal(error, form.action);
      if (!errors) throw error;
      return again(errors, isBridgeError(error) && error.code === "BRIDGE_E_DECISION_INCOMPLETE" ? 400 : 409);
    }
  },
};
