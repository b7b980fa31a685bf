// Fault suites (test/integration/faults/) kill and restart servers: they run after every other suite,
// so that no suite sees the platform half down.
const Sequencer = require('@jest/test-sequencer').default;

class FaultsLastSequencer extends Sequencer {
  sort(tests) {
    const isFault = (t) => t.path.includes('/faults/');
    const sorted = [...tests].sort((a, b) => a.path.localeCompare(b.path));
    return [...sorted.filter((t) => !isFault(t)), ...sorted.filter(isFault)];
  }
}

module.exports = FaultsLastSequencer;
