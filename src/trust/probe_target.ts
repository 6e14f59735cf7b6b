import { isIP } from 'node:net';
import { InvalidArgumentError } from '../errors.js';

export interface ProbeTarget {
  host: string;
  port: number;
}

/** "host:port", "[::1]:8443", or a bare host (port 443). */
export function parseProbeTarget(text: string): ProbeTarget {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:\s]+)(?::(\d+))?$/.exec(text);
  const bareV6 = isIP(text) === 6 ? [text, text, undefined] : null;
  const m = bracketed ?? plain ?? bareV6;
  if (!m || !m[1]) throw new InvalidArgumentError(`"${text}" is not <host>:<port>`);
  const port = m[2] === undefined ? 443 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`"${text}": the port must be 1 to 65535`);
  return { host: m[1], port };
}
