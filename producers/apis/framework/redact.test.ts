import { redact } from './redact';

describe('redact', () => {
  it('masks the key wherever it appears, raw or URL-encoded', () => {
    const key = 'abc+def/123==';
    expect(redact(`GET /x?q=London&k=${encodeURIComponent(key)} said ${key}`, [key])).toBe(
      'GET /x?q=London&k=*** said ***',
    );
  });

  it('masks credential-named query parameters even when the value is not known', () => {
    expect(redact('/query?function=GLOBAL_QUOTE&apikey=SECRET1&symbol=IBM')).toBe(
      '/query?function=GLOBAL_QUOTE&apikey=***&symbol=IBM',
    );
    expect(redact('https://graph.facebook.com/v23.0/1/posts?access_token=EAAB&after=QVFI')).toBe(
      'https://graph.facebook.com/v23.0/1/posts?access_token=***&after=QVFI',
    );
    expect(redact('/v1/current.json?key=k1&q=London')).toBe('/v1/current.json?key=***&q=London');
  });

  it('leaves short values alone, so ordinary words are not masked', () => {
    expect(redact('the key is abc', ['abc'])).toBe('the key is abc');
  });
});
