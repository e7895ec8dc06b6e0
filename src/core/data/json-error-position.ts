/**
 * Where a JSON text stops being valid (UTF-16 index), for error messages: V8's JSON.parse names
 * no position for an unexpected token. Run only after JSON.parse has failed. Returns -1 when the
 * text is valid or ends too early (the caller says "end of file").
 */
export function jsonErrorPosition(text: string): number {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i += 2;
            fail();
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else {
          i++;
          fail();
        }
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (!m) fail();
    i += m![0].length;
  };
  // Iterative over containers: a stack of '{' / '['.
  const stack: string[] = [];
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      ws();
      if (text[i] === (c === '{' ? '}' : ']')) {
        stack.pop();
        i++;
        return;
      }
      if (c === '{') member();
      else value();
      return;
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail();
  };
  const member = () => {
    ws();
    if (text[i] !== '"') fail();
    string();
    ws();
    if (text[i] !== ':') fail();
    i++;
    value();
  };
  try {
    value();
    for (;;) {
      ws();
      if (stack.length === 0) break;
      const top = stack[stack.length - 1];
      const c = text[i];
      if (c === ',') {
        i++;
        if (top === '{') member();
        else value();
      } else if ((top === '{' && c === '}') || (top === '[' && c === ']')) {
        stack.pop();
        i++;
      } else fail();
    }
    ws();
    return i < n ? i : -1;
  } catch (at) {
    return typeof at === 'number' && at < n ? at : -1;
  }
}

/** "line L, column C" of where `text` stops being valid JSON ("end of file" if it ends too early), from JSON.parse's message or a scan. */
export function jsonErrorLocation(text: string, parseMessage: string): string | undefined {
  const pos = /position (\d+)/.exec(parseMessage);
  const at = pos ? Number(pos[1]) : jsonErrorPosition(text);
  if (at >= 0) {
    const before = text.slice(0, at);
    let line = 1;
    for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
    return `line ${line}, column ${at - before.lastIndexOf('\n')}`;
  }
  if (/end of JSON|Unterminated|Unexpected end/.test(parseMessage)) return 'end of file';
  return undefined;
}
