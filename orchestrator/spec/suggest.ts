/** "Did you mean …?" lives in lib/suggest.ts, which the services share; the spec module uses it from here. */
export { closest, editDistance } from '../../lib/suggest';
