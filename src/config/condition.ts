/** Stage conditions (Part 3): `path ==|!= literal`, literals true, false, null or a quoted string. */

export type ConditionValue = boolean | null | string;

export interface Condition {
  path: string;
  op: "==" | "!=";
  value: ConditionValue;
}

const CONDITION =
  /^\s*([A-Za-z_][\w]*(?:\.[\w]+|\[\d+\])*)\s*(==|!=)\s*(true|false|null|"[^"]*"|'[^']*')\s*$/;

/** Parses a condition, or returns undefined when the syntax is wrong. */
export function parseCondition(text: string): Condition | undefined {
  const match = CONDITION.exec(text);
  if (!match) return undefined;
  const [, path, op, literal] = match as unknown as [string, string, "==" | "!=", string];
  let value: ConditionValue;
  if (literal === "true") value = true;
  else if (literal === "false") value = false;
  else if (literal === "null") value = null;
  else value = literal.slice(1, -1);
  return { path, op, value };
}

/** What a user should write instead of a malformed condition. */
export const CONDITION_HINT =
  'expected "<path> == <value>" or "<path> != <value>" where value is true, false, null or a quoted string, e.g. "extract.output.needs_ocr == true"';
