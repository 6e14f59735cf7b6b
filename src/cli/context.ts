import type { CliIo } from './io.js';
import type { PasswordResolver } from './password_source.js';

export interface CliContext {
  io: CliIo;
  passwords: PasswordResolver;
  /** Set by a command whose result is an exit code of its own (audit: 0-3, the monitoring-plugin convention). */
  exitCode?: number;
}
