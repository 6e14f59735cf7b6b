#!/usr/bin/env node
// the CLI as one bundle (scripts/bundle_cli.mjs): a few files to load at start instead of about a hundred
import { main } from '../dist/bin/hapki.js';

process.exitCode = await main(process.argv);
