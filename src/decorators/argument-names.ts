/**
 * Parameter names of a function, read once from its source text at decoration time: `run(taskId,
 * payload = {}, ...rest)` gives `['taskId', 'payload', 'rest']`. A destructured parameter has no
 * name and gives `undefined` at its position. Works on native and down-levelled (ES2015+) methods.
 */
export function parameterNames(fn: (...args: never[]) => unknown): Array<string | undefined> {
  const source = Function.prototype.toString.call(fn);
  const open = findParameterListStart(source);
  if (open < 0) return [];
  const pieces = splitTopLevel(source, open + 1);
  return pieces.map((piece) => {
    const text = piece
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '')
      .trim()
      .replace(/^\.\.\./, '');
    const name = /^[A-Za-z_$][\w$]*/.exec(text)?.[0];
    if (name === undefined) return undefined;
    const rest = text.slice(name.length).trim();
    return rest === '' || rest.startsWith('=') ? name : undefined;
  });
}

function findParameterListStart(source: string): number {
  let i = 0;
  // A computed key `[Symbol.for('x')](a)` may hold parentheses of its own: skip it.
  const bracket = source.indexOf('[');
  const paren = source.indexOf('(');
  if (bracket >= 0 && bracket < paren) i = skipBalanced(source, bracket);
  return source.indexOf('(', i);
}

function skipBalanced(source: string, start: number): number {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    const ch = source[i];
    if (ch === '[' || ch === '(' || ch === '{') depth++;
    else if (ch === ']' || ch === ')' || ch === '}') {
      depth--;
      if (depth === 0) return i + 1;
    } else if (ch === '"' || ch === "'" || ch === '`') i = skipString(source, i);
  }
  return source.length;
}

function skipString(source: string, start: number): number {
  const quote = source[start];
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === quote) return i;
  }
  return source.length;
}

function splitTopLevel(source: string, start: number): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let from = start;
  for (let i = start; i < source.length; i++) {
    const ch = source[i];
    if (ch === '"' || ch === "'" || ch === '`') i = skipString(source, i);
    else if (ch === '/' && source[i + 1] === '*') i = Math.max(source.indexOf('*/', i + 2), i) + 1;
    else if (ch === '/' && source[i + 1] === '/') i = Math.max(source.indexOf('\n', i), i);
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === ')') {
      if (depth === 0) {
        pieces.push(source.slice(from, i));
        break;
      }
      depth--;
    } else if (ch === ',' && depth === 0) {
      pieces.push(source.slice(from, i));
      from = i + 1;
    }
  }
  // `()` gives one empty piece, and a trailing comma an empty last piece: neither is a parameter.
  return pieces.filter((piece, index) => !(piece.trim() === '' && index === pieces.length - 1));
}
