/**
 * Reading OASys answers the way the mapping language sees them: a value TOKEN (a 0/1/2 score as "0".."2",
 * YES/NO, a code, a number or date as written) and conditions over tokens. An item absent from the
 * assessment was NOT ASKED; an item present without a usable value is MISSING. Neither has a token, so
 * neither can ever satisfy a condition or map to a rating: "not asked" is never read as "no problem".
 */
import type { Answer, OasysAssessment } from "../oasys/model.ts";
import type { Condition } from "./spec.ts";

export type AnswerState =
  | { kind: "NOT_ASKED" }
  | { kind: "MISSING"; raw: string | null }
  | { kind: "VALUE"; token: string; raw: string | null };

export function tokenOf(answer: Answer): string | null {
  const v = answer.value;
  switch (v.kind) {
    case "score":
      return String(v.score);
    case "yesno":
      return v.value;
    case "code":
      return v.code;
    case "number":
      return String(v.value);
    case "date":
      return v.value;
    case "text":
      return v.text;
    case "missing":
      return null;
  }
}

/** The answer to `question`, or undefined when it was not asked (own properties only). */
export function answerOf(assessment: OasysAssessment, question: string): Answer | undefined {
  const answers = assessment.answers;
  const answer = answers[question];
  // Most lookups of a question that was not asked end here; a found one is checked to be its own.
  return answer !== undefined && Object.hasOwn(answers, question) ? answer : undefined;
}

/** The answer's value token, or null when the item was not asked or holds no usable value. */
export function tokenAt(assessment: OasysAssessment, question: string): string | null {
  const answer = answerOf(assessment, question);
  return answer ? tokenOf(answer) : null;
}

export function answerState(assessment: OasysAssessment, question: string): AnswerState {
  const answer = answerOf(assessment, question);
  if (!answer) return { kind: "NOT_ASKED" };
  const token = tokenOf(answer);
  return token === null ? { kind: "MISSING", raw: answer.raw } : { kind: "VALUE", token, raw: answer.raw };
}

const numeric = (token: string): number | null => (/^-?\d+(\.\d+)?$/.test(token) ? Number(token) : null);

export type CompiledCondition = (assessment: OasysAssessment) => boolean;

/**
 * A condition as a function, built once per mapping. A question that was not asked or is missing satisfies
 * no `is`/`atLeast` (so `not` of one holds).
 */
export function compileCondition(condition: Condition): CompiledCondition {
  if ("allOf" in condition) {
    const all = condition.allOf.map(compileCondition);
    return (a) => all.every((c) => c(a));
  }
  if ("anyOf" in condition) {
    const any = condition.anyOf.map(compileCondition);
    return (a) => any.some((c) => c(a));
  }
  if ("not" in condition) {
    const inner = compileCondition(condition.not);
    return (a) => !inner(a);
  }
  const question = condition.question;
  if ("is" in condition) {
    const is = condition.is;
    return (a) => {
      const token = tokenAt(a, question);
      return token !== null && is.includes(token);
    };
  }
  const atLeast = condition.atLeast;
  return (a) => {
    const token = tokenAt(a, question);
    if (token === null) return false;
    const n = numeric(token);
    return n !== null && n >= atLeast;
  };
}

/** Codes safe to repeat in a reason; free text (which may hold personal data) never is. */
const CODE_LIKE = /^[A-Za-z0-9_.-]{1,12}$/;

/** A short, person-free description of what an item holds, for reasons: `not asked`, `missing`, `= 2`. */
export function describeState(question: string, state: AnswerState): string {
  if (state.kind === "NOT_ASKED") return `${question} was not asked in this assessment`;
  if (state.kind === "MISSING") return `${question} was asked but holds no usable answer`;
  return CODE_LIKE.test(state.token) ? `${question} = ${state.token}` : `${question} holds free text`;
}
