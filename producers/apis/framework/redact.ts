/**
 * API keys travel in URLs (`?key=…`, `&apikey=…`, `access_token=…` in Facebook's paging links) and error
 * bodies sometimes echo them. Everything an ingestor logs or puts in an error goes through here first.
 */

/** Query parameters that carry credentials in the APIs Sluice reads. */
const SECRET_PARAMS = /^(key|apikey|api_key|access_token|token|appid|client_secret|signature)$/i;
const MASK = '***';

/** Replaces every known secret value, and every credential-named query parameter, by ***. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Short values would mask ordinary words; real keys are long.
  for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join(MASK);
  for (const encoded of secrets.filter((s) => s.length >= 6).map(encodeURIComponent))
    out = out.split(encoded).join(MASK);
  return out.replace(/([?&])([^=&#\s]+)=([^&#\s"']*)/g, (whole, sep: string, name: string) =>
    SECRET_PARAMS.test(name) ? `${sep}${name}=${MASK}` : whole,
  );
}
