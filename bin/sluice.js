#!/usr/bin/env node
// The `sluice` CLI, compiled from orchestrator/cli by `npm run build`.
const { main } = require('../dist/orchestrator/cli/main');
main(process.argv.slice(2)).then((code) => process.exit(code));
