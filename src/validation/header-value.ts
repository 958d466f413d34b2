// Checks a header value Envoy will parse as a custom-header format: `%%` escapes, `%VAR%` and `%VAR(args)%` forms.

/** Control characters other than horizontal tab cannot appear in a header value. */
function hasControlChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

type State =
  | 'literal'
  | 'variableName'
  | 'expectArray'
  | 'expectString'
  | 'string'
  | 'expectDelimiterOrEnd'
  | 'expectArgsEnd'
  | 'expectVariableEnd';

/**
 * Walks the value as Envoy's header parser does at config load (a NACK there would drop the whole
 * route table), so a bad value is reported here, with the field, instead of at run time.
 */
function formatProblem(value: string): string | undefined {
  let state: State = 'literal';
  for (let pos = 0; pos < value.length; pos++) {
    const ch = value[pos];
    const hasNext = pos + 1 < value.length;
    switch (state) {
      case 'literal':
        if (ch !== '%') break;
        if (!hasNext) return 'invalid header configuration. Un-escaped %';
        if (value[pos + 1] === '%') pos++;
        else state = 'variableName';
        break;
      case 'variableName':
        if (ch === '%') state = 'literal';
        else if (ch === '(') state = 'expectArray';
        break;
      case 'expectArray':
        if (ch === '[') state = 'expectString';
        else if (ch !== ' ') state = 'string';
        break;
      case 'expectDelimiterOrEnd':
        if (ch === ',') state = 'expectString';
        else if (ch === ']') state = 'expectArgsEnd';
        else if (ch !== ' ') return "invalid header configuration. Expecting ',', ']', or whitespace";
        break;
      case 'expectString':
        if (ch === '"') state = 'string';
        else if (ch !== ' ') return `invalid header configuration. Expecting '"'`;
        break;
      case 'string':
        if (ch === '\\') {
          if (!hasNext) return 'invalid header configuration. Un-terminated backslash in JSON string';
          pos++;
        } else if (ch === ')') state = 'expectVariableEnd';
        else if (ch === '"') state = 'expectDelimiterOrEnd';
        break;
      case 'expectArgsEnd':
        if (ch === ')') state = 'expectVariableEnd';
        else if (ch !== ' ') return "invalid header configuration. Expecting ')' or whitespace";
        break;
      case 'expectVariableEnd':
        if (ch === '%') state = 'literal';
        else if (ch !== ' ') return "invalid header configuration. Expecting '%' or whitespace";
        break;
    }
  }
  if (state !== 'literal') return `invalid header configuration. Un-terminated variable expression '${value}'`;
  return undefined;
}

/** Istio's message for a header value Envoy would reject, or undefined when the value is fine. */
export function headerValueProblem(value: string): string | undefined {
  if (hasControlChar(value)) return `header value configuration ${value} is invalid`;
  const problem = formatProblem(value);
  return problem === undefined ? undefined : `header value configuration: ${problem}`;
}
