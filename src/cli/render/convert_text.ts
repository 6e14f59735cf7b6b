export /** What the user is told about the keys' passwords: the promise --outpass makes, kept. */
function keyProtection(keys: readonly { alias: string; protection: string }[], encrypted: boolean): string {
  if (keys.length === 0) return '';
  if (!encrypted) return '; keys unencrypted';
  const own = keys.filter((k) => k.protection === 'own-password').map((k) => `"${k.alias}"`);
  const unchanged = keys.filter((k) => k.protection === 'unchanged').map((k) => `"${k.alias}"`);
  const rest = keys.length - own.length - unchanged.length;
  const parts = [`${rest} key${rest === 1 ? '' : 's'} under the output password`];
  if (own.length > 0) parts.push(`${own.join(', ')} under ${own.length === 1 ? 'its' : 'their'} --keypass-out`);
  if (unchanged.length > 0) parts.push(`${unchanged.join(', ')} unchanged`);
  return `; ${parts.join(', ')}`;
}
