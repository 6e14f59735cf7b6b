/**
 * The command line as the process list may show it (`hapki` and the arguments after node's and
 * the script's paths, which leaves room: the title cannot grow past the original command line): a `pass:` password source (`--storepass
 * pass:x`, `--storepass=pass:x`, `--storepass-for gw.jks=pass:x`) and a PKCS#11 URI's
 * `pin-value` (its name in any case, as the URI reader takes it) with their secret replaced by `…`. Undefined when the command line holds neither.
 *
 * `pass:` warns that the secret is in argv, where `ps` shows it to every user for as long as
 * the command runs (an `apply` over SSH, a `probe` waiting on a host, an audit of thousands of
 * stores). Setting the process title to this rewrites the memory /proc/<pid>/cmdline reads, so
 * the secret is there only for the moment between exec and hapki's start.
 */
export function commandLineWithoutSecrets(argv: readonly string[]): string | undefined {
  let hidden = false;
  const shown = argv.slice(2).map((arg) => {
    const masked = arg.replace(/(^|=)pass:.*$/s, '$1pass:…').replace(/(pin-value=)[^;?&]*/gi, '$1…');
    if (masked !== arg) hidden = true;
    return masked;
  });
  return hidden ? ['hapki', ...shown].join(' ') : undefined;
}
