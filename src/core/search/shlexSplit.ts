/**
 * Python's `shlex.split` (POSIX mode), which MLflow applies to an order_by clause to separate the
 * key from its direction: words split at spaces, tabs and newlines; quotes group and are removed;
 * a backslash escapes the next character (inside double quotes only a quote or backslash).
 */
import { MlflowError } from '../errors';

const SPACE = ' \t\r\n';

export function shlexSplit(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (SPACE.includes(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new MlflowError('INTERNAL_ERROR', 'No escaped character');
      word = (word ?? '') + text[i + 1];
      i += 2;
    } else if (c === "'" || c === '"') {
      word = word ?? '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new MlflowError('INTERNAL_ERROR', 'No closing quotation');
        const d = text[j];
        if (d === c) break;
        if (c === '"' && d === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\')) {
          word += text[j + 1];
          j += 2;
          continue;
        }
        word += d;
        j++;
      }
      i = j + 1;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
