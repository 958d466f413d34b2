#!/usr/bin/env node
// Entry point installed as `meshgate`; the CLI itself is bundled into dist/ by `npm run build`.
import '../dist/cli.js';
