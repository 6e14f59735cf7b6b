import { setFlagsFromString } from 'node:v8';

/**
 * The CLI process keeps V8's young generation at its starting size instead of letting it grow
 * to 2 x 16 MB. Reading or converting a store of thousands of entries makes garbage quickly and
 * keeps little of it; a grown young generation only stayed resident: about 30 MB of a
 * 19 MB store's peak, for no measured gain in time (issue 15, memory). A process that loads
 * hapki as a library keeps its own settings: only the command's own process calls this.
 */
export function keepYoungGenerationSmall(): void {
  try {
    // read by V8 each time it would grow the young generation, so it applies after start-up
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // a Node that refuses V8 flags at run time keeps its default: only memory is at stake
  }
}
