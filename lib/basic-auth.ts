/** HTTP Basic credentials (RFC 7617) as the `Authorization` header every Sluice HTTP client sends. */
export function basicAuthHeader(username: string, password: string): { Authorization: string } {
  return { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}
