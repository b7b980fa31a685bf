/** The port map's base against the kernel's ephemeral range. */
import { DEFAULT_PORT_BASE, PORT_SPAN, ephemeralOverlap } from './ports';

const LINUX_DEFAULT: [number, number] = [32768, 60999];

test('the default base and the test base sit below the ephemeral range', () => {
  expect(ephemeralOverlap(DEFAULT_PORT_BASE, LINUX_DEFAULT)).toBeUndefined();
  expect(ephemeralOverlap(31000, LINUX_DEFAULT)).toBeUndefined();
  expect(ephemeralOverlap(32768 - PORT_SPAN, LINUX_DEFAULT)).toBeUndefined(); // the last port is 32767
});

test('a base whose ports reach into the ephemeral range is named, with the fix', () => {
  expect(ephemeralOverlap(33000, LINUX_DEFAULT)).toBe(
    "ports 33000-33499 overlap the kernel's ephemeral port range 32768-60999: an outgoing connection can take a " +
      "server's port while it restarts; a base below 32268 (e.g. the default 29000) avoids it",
  );
  expect(ephemeralOverlap(32768 - PORT_SPAN + 1, LINUX_DEFAULT)).toMatch(/overlap/);
  expect(ephemeralOverlap(60999, [32768, 60999])).toMatch(/overlap/);
  expect(ephemeralOverlap(61000, LINUX_DEFAULT)).toBeUndefined();
});
