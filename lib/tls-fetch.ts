/**
 * `fetch` for servers that ask for a client certificate (mutual TLS). Node's global fetch cannot present
 * one without an undici dispatcher, so an `https:` request with `tls` goes through node:https and its
 * answer comes back as a standard `Response`; anything else is the global fetch. The server's certificate
 * is verified against `ca`, host name included.
 */
import { request } from 'node:https';

export interface ClientTls {
  /** PEM: the CA that signed the server's certificate. */
  ca: string;
  /** PEM: the client's certificate and its private key (none: the request presents no certificate). */
  cert?: string;
  key?: string;
}

export interface TlsFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/** Statuses whose Response may not carry a body. */
const NO_BODY = new Set([101, 204, 205, 304]);

export function tlsFetch(url: string, init: TlsFetchInit = {}, tls?: ClientTls): Promise<Response> {
  const target = new URL(url);
  if (target.protocol !== 'https:' || tls === undefined) {
    return fetch(url, {
      ...(init.method ? { method: init.method } : {}),
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  }
  return new Promise<Response>((resolve, reject) => {
    const req = request(
      target,
      {
        method: init.method ?? 'GET',
        headers: init.headers,
        ca: tls.ca,
        ...(tls.cert !== undefined && tls.key !== undefined ? { cert: tls.cert, key: tls.key } : {}),
        // No connection reuse: a keep-alive socket would outlive the caller's timeout.
        agent: false,
        ...(init.signal ? { signal: init.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve(
            new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), {
              status,
              statusText: res.statusMessage ?? '',
              headers,
            }),
          );
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
