/**
 * run_squad.get_final_text: project the de-tokenised WordPiece answer back onto the original
 * whitespace-split text, so the answer keeps its original case, accents and punctuation.
 * Indices are Unicode code points, as in Python, so astral characters count once.
 */

/** BasicTokenizer.tokenize with the run's do_lower_case. */
export type BasicTokenize = (text: string) => string[];

/** _strip_spaces: the characters other than ' ' and, for each, its index in `chars`. */
function stripSpaces(chars: readonly string[]): { ns: string[]; nsToS: number[] } {
  const ns: string[] = [];
  const nsToS: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === ' ') continue;
    nsToS.push(i);
    ns.push(chars[i]);
  }
  return { ns, nsToS };
}

/** The final text and where it starts in `origText` (UTF-16 offset; 0 when the original is kept). */
export interface FinalTextSpan {
  text: string;
  start: number;
}

/**
 * `predText`: the normalised answer (WordPieces joined, '##' removed); `origText`: the original
 * doc tokens of the span joined by ' '. Falls back to `origText` wherever the original does.
 */
export function getFinalText(predText: string, origText: string, basicTokenize: BasicTokenize): string {
  return getFinalTextSpan(predText, origText, basicTokenize).text;
}

/** get_final_text, also telling where the text sits in `origText`. */
export function getFinalTextSpan(predText: string, origText: string, basicTokenize: BasicTokenize): FinalTextSpan {
  const whole = { text: origText, start: 0 };
  const tokText = basicTokenize(origText).join(' ');
  const start16 = tokText.indexOf(predText);
  if (start16 === -1) return whole;
  const tokChars = Array.from(tokText);
  const origChars = Array.from(origText);
  const startPosition = Array.from(tokText.slice(0, start16)).length;
  const endPosition = startPosition + Array.from(predText).length - 1;

  const orig = stripSpaces(origChars);
  const tok = stripSpaces(tokChars);
  if (orig.ns.length !== tok.ns.length) return whole;

  // tok_s_to_ns_map: index in tokText -> index without spaces (-1 for spaces).
  const tokSToNs = new Array<number>(tokChars.length).fill(-1);
  tok.nsToS.forEach((s, i) => (tokSToNs[s] = i));

  const project = (pos: number): number | undefined => {
    if (pos < 0 || pos >= tokSToNs.length || tokSToNs[pos] === -1) return undefined;
    return orig.nsToS[tokSToNs[pos]];
  };
  const origStart = project(startPosition);
  if (origStart === undefined) return whole;
  const origEnd = project(endPosition);
  if (origEnd === undefined) return whole;
  const before = origChars.slice(0, origStart).join('');
  return { text: origChars.slice(origStart, origEnd + 1).join(''), start: before.length };
}
