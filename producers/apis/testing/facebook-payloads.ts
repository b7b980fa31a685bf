/**
 * Test payloads for Graph API Page posts, built from the shapes Facebook documents (Page feed
 * reference, "Paginated Results": `data`, `paging.cursors`, `paging.next`): no recorded fixtures exist
 * for Facebook. Values are made up.
 */

export const PAGE = '20531316728';

export function post(n: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `${PAGE}_10${n}`,
    created_time: `2026-01-1${n}T16:24:04+0000`,
    updated_time: `2026-01-1${n}T17:00:00+0000`,
    message: `Post number ${n}`,
    permalink_url: `https://www.facebook.com/${PAGE}/posts/10${n}`,
    shares: { count: n * 10 },
    ...fields,
  };
}

export function page(posts: unknown[], next?: string): Record<string, unknown> {
  return {
    data: posts,
    paging: {
      cursors: { before: 'QVFIUmxUZ0FiQ', after: 'QVFIUk5wN2ZA' },
      ...(next ? { next } : {}),
    },
  };
}
