import type { CliIo } from './io.js';
import type { PasswordResolver } from './password_source.js';

export interface CliContext {
  io: CliIo;
  passwords: PasswordResolver;
}
