import { fillPlaceholders, placeholdersIn, splitStatements, withoutComments } from './statements';

describe('splitStatements', () => {
  it('splits at semicolons outside strings, identifiers and comments', () => {
    const script = `-- tables
CREATE TABLE a (x STRING) WITH ('k' = 'v;w');
/* a; comment */ SELECT 'it''s; fine', \`odd;name\` FROM a;

-- only a comment;
`;
    expect(splitStatements(script)).toEqual([
      "-- tables\nCREATE TABLE a (x STRING) WITH ('k' = 'v;w')",
      "/* a; comment */ SELECT 'it''s; fine', `odd;name` FROM a",
    ]);
  });

  it('keeps a statement set whole', () => {
    expect(
      splitStatements(
        'SET x = 1;\nEXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND;',
      ),
    ).toEqual(['SET x = 1', 'EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND']);
  });

  it('keeps a last statement without a semicolon', () => {
    expect(splitStatements('SELECT 1; SELECT 2')).toEqual(['SELECT 1', 'SELECT 2']);
  });
});

test('withoutComments leaves quoted text alone', () => {
  expect(withoutComments("-- c\nINSERT INTO t SELECT '--x' /* y */ FROM s").trim()).toBe(
    "INSERT INTO t SELECT '--x'   FROM s",
  );
});

describe('fillPlaceholders', () => {
  it('fills every ${NAME} and lists them', () => {
    expect(fillPlaceholders("'a' = '${A}', ${B}", { A: '1', B: "'b' = '2'" }, 'f.sql')).toBe("'a' = '1', 'b' = '2'");
    expect(placeholdersIn('${A} ${B} ${A}')).toEqual(['A', 'B']);
  });

  it('refuses an unknown placeholder, naming it and the known ones', () => {
    expect(() => fillPlaceholders('${NOPE}', { A: '1' }, 'sql/010.sql')).toThrow(
      'sql/010.sql: unknown placeholder ${NOPE}; known ones: A',
    );
  });
});
