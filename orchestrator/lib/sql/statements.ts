/**
 * Splits a SQL script into statements at the semicolons that end them, the way Flink's SQL client reads a
 * file: semicolons inside quoted strings, quoted identifiers and comments do not count. Comments are kept
 * with the statement they precede, so that error messages can quote it whole.
 */

export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  while (i < script.length) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      const stop = end === -1 ? script.length : end + 1;
      current += script.slice(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      const stop = end === -1 ? script.length : end + 2;
      current += script.slice(i, stop);
      i = stop;
    } else if (c === "'" || c === '`' || c === '"') {
      // A quote doubled inside a quoted text is the quote itself ('it''s').
      let j = i + 1;
      for (;;) {
        if (j >= script.length) break;
        if (script[j] === c) {
          if (script[j + 1] === c) j += 2;
          else break;
        } else j += 1;
      }
      current += script.slice(i, j + 1);
      i = j + 1;
    } else if (c === ';') {
      statements.push(current);
      current = '';
      i += 1;
    } else {
      current += c;
      i += 1;
    }
  }
  statements.push(current);
  return mergeStatementSets(statements.map((s) => s.trim()).filter((s) => withoutComments(s).trim() !== ''));
}

/** `EXECUTE STATEMENT SET BEGIN INSERT …; INSERT …; END` is one statement despite its semicolons. */
function mergeStatementSets(parts: string[]): string[] {
  const out: string[] = [];
  let open: string[] | undefined;
  for (const part of parts) {
    const code = withoutComments(part).trim();
    if (!open && /^(EXECUTE\s+)?STATEMENT\s+SET\s+BEGIN\b/i.test(code)) {
      open = [part];
      continue;
    }
    if (open) {
      if (/^END$/i.test(code)) {
        out.push(`${open.join(';\n')};\nEND`);
        open = undefined;
      } else open.push(part);
      continue;
    }
    out.push(part);
  }
  if (open) out.push(open.join(';\n')); // unterminated: Flink will say so
  return out;
}

/** The statement without `--` and `/* *\/` comments (quoted text untouched), for checks on its kind. */
export function withoutComments(statement: string): string {
  return statement.replace(
    /('(?:[^']|'')*')|--[^\n]*|\/\*[\s\S]*?\*\//g,
    (match, quoted: string | undefined) => quoted ?? ' ',
  );
}

/**
 * Fills `${NAME}` placeholders. A placeholder without a value is an error naming it, so a typo never
 * reaches Flink as literal text.
 */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>, where: string): string {
  return text.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(
        `${where}: unknown placeholder \${${name}}; known ones: ${Object.keys(values).sort().join(', ')}`,
      );
    }
    return value;
  });
}

export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((m) => m[1]!))];
}
