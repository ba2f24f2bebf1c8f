import { escapeHtml } from "../escape.js";

export { escapeHtml };

/**
 * Server-side HTML: a tagged template that escapes every interpolated value unless it is already
 * {@link Html} (another template's result or {@link raw}). Arrays are joined.
 *
 * @example html`<p>${userText}</p>` // userText is escaped
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks trusted markup as HTML (never pass user input). */
export function raw(markup: string): Html {
  return new Html(markup);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === undefined || value === null || value === false) return "";
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new Html(out);
}
