import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// security-cases UI-02: the widget's own code has no HTML sink that user text could reach. React
// escapes text; these are the ways around it, and none may appear in web/src.

const SOURCE = fileURLToPath(new URL('../web/src/', import.meta.url));
const SINKS = [/dangerouslySetInnerHTML/, /\.innerHTML\s*\+?=/, /\.outerHTML\s*\+?=/, /insertAdjacentHTML/, /document\.write/, /\bsrcdoc\b/, /javascript:/i, /\beval\(/, /new Function\(/, /setTimeout\(\s*['"`]/];

describe('the widget source', () => {
  it('has no HTML or code sink (innerHTML, dangerouslySetInnerHTML, eval…)', () => {
    const files = readdirSync(SOURCE).filter((name) => /\.(ts|tsx)$/.test(name));
    expect(files.length).toBeGreaterThan(5);
    const found = files.flatMap((name) => {
      // Code only: comments may name what the code must not do.
      const text = readFileSync(join(SOURCE, name), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
      return SINKS.filter((sink) => sink.test(text)).map((sink) => `${name}: ${sink}`);
    });
    expect(found).toEqual([]);
  });
});
