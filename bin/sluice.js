#!/usr/bin/env node
// The `sluice` CLI, compiled from orchestrator/cli by `npm run build`.
// It exits once stdout and stderr are flushed: a large plan piped to another program arrives whole.
const { main, exitWhenFlushed } = require('../dist/orchestrator/cli/main');
main(process.argv.slice(2)).then((code) => exitWhenFlushed(code));
