#!/usr/bin/env node
// Writes dist/cli/command_index.json, the names and summaries `hapki --help` shows, so that the
// top-level help loads no command module. Run by `npm run build` after tsc.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { commandIndex } = await import(join(root, 'dist', 'cli', 'program.js'));
const { PasswordResolver } = await import(join(root, 'dist', 'cli', 'password_source.js'));
const io = { stdout() {}, stderr() {}, env: {} };
const index = await commandIndex({ io, passwords: new PasswordResolver(io) });
writeFileSync(join(root, 'dist', 'cli', 'command_index.json'), `${JSON.stringify(index, null, 1)}\n`);
