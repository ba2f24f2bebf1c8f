/**
 * A small, strict XML reader for checking JUnit output in tests (no XML parser is among the
 * dependencies, and JUnit XML needs only elements, attributes, text and the five entities).
 * Throws on anything malformed: unclosed or mismatched tags, unquoted or duplicate attributes,
 * bare `&` or `<` in text, characters XML forbids.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML 1.0 forbids
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(raw: string, at: number): string {
  if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw))
    throw new Error(`bad character data at ${at}: ${raw.slice(0, 40)}`);
  return raw.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (named[e]) return named[e];
    return String.fromCodePoint(e.startsWith("#x") ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

/** Parses a whole document and returns its root element. */
export function parseXml(xml: string): XmlElement {
  if (FORBIDDEN.test(xml)) throw new Error("document holds a character XML forbids");
  let i = 0;
  const declaration = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (declaration) i = declaration[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    if (xml.startsWith("</", i)) {
      const end = xml.indexOf(">", i);
      const name = xml.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`mismatched </${name}> at ${i}`);
      i = end + 1;
      if (stack.length === 0) root = open;
    } else if (xml[i] === "<") {
      const name = NAME.exec(xml.slice(i + 1))?.[0];
      if (!name) throw new Error(`bad tag at ${i}`);
      i += 1 + name.length;
      const element: XmlElement = { name, attributes: {}, children: [], text: "" };
      for (;;) {
        const space = /^\s*/.exec(xml.slice(i))?.[0].length ?? 0;
        i += space;
        if (xml.startsWith("/>", i) || xml[i] === ">") break;
        if (space === 0) throw new Error(`attributes need a space before them at ${i}`);
        const attr = /^([A-Za-z_][\w.-]*)="([^"]*)"/.exec(xml.slice(i));
        if (!attr?.[1] || attr[2] === undefined)
          throw new Error(`bad attribute at ${i}: ${xml.slice(i, i + 30)}`);
        if (attr[1] in element.attributes) throw new Error(`duplicate attribute ${attr[1]}`);
        element.attributes[attr[1]] = decode(attr[2], i);
        i += attr[0].length;
      }
      if (stack.length === 0 && root) throw new Error("more than one root element");
      stack.at(-1)?.children.push(element);
      if (xml.startsWith("/>", i)) {
        i += 2;
        if (stack.length === 0) root = element;
      } else {
        i += 1;
        stack.push(element);
      }
    } else {
      const next = xml.indexOf("<", i);
      const raw = xml.slice(i, next === -1 ? xml.length : next);
      const open = stack.at(-1);
      if (open) open.text += decode(raw, i);
      else if (raw.trim() !== "") throw new Error(`text outside the root at ${i}`);
      i = next === -1 ? xml.length : next;
    }
  }
  if (stack.length > 0 || !root) throw new Error(`unclosed <${stack.at(-1)?.name}>`);
  return root;
}

/** Every element named `name` below `element`, depth first. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [
    ...(child.name === name ? [child] : []),
    ...findAll(child, name),
  ]);
}
