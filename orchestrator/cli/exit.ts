/**
 * Exiting the CLI without losing output. `process.exit` right after a large write to a pipe drops what
 * Node has not yet handed to the pipe (`sluice plan --json | jq` got the first 64 KiB of a 700 KB plan), so
 * the CLI exits once stdout and stderr have flushed everything written before; exiting at all (rather than
 * letting the event loop end) is still needed, as a client may leave a socket or a timer open.
 */
import type { Writable } from 'node:stream';

export function exitWhenFlushed(
  code: number,
  streams: Writable[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (c) => process.exit(c),
): void {
  let pending = streams.length;
  if (pending === 0) return exit(code);
  // A write's callback runs once every earlier write of the stream has been handed over.
  const done = () => {
    if (--pending === 0) exit(code);
  };
  for (const stream of streams) stream.write('', done);
}
