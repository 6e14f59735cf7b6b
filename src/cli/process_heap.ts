import { setFlagsFromString } from 'node:v8';

/** Inputs from this size on are large stores (thousands of entries). */
const LARGE_INPUT_BYTES = 4 * 1024 * 1024;

let ownProcess = false;

/** Called by main when the CLI runs as its own process (not a library or a test calling main with its own I/O). */
export function runningAsOwnProcess(): void {
  ownProcess = true;
}

/**
 * Once the CLI, in its own process, has read a large input, V8's young generation is kept at
 * the size it has instead of growing to 2 x 16 MB. Reading or converting a store of thousands
 * of entries makes garbage quickly and keeps little of it; a grown young generation only stayed
 * resident: about 30 MB of a 19 MB store's peak, for no measured gain in time (issue 15,
 * memory). Not done before: a changed V8 flag makes V8 refuse the code cache of a script
 * compiled after it, and the build's warm-up (small inputs) must make caches for the default
 * flags.
 */
export function inputRead(bytes: number): void {
  if (!ownProcess || bytes < LARGE_INPUT_BYTES) return;
  ownProcess = false;
  try {
    // read by V8 each time it would grow the young generation, so it applies after start-up
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // a Node that refuses V8 flags at run time keeps its default: only memory is at stake
  }
}
