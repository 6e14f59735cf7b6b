import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';

/** Every command path ("trust mesh") with its visible long options, from the same definitions as --help. */
function commandTable(program: Command): Map<string, string[]> {
  const table = new Map<string, string[]>();
  const walk = (command: Command, path: string): void => {
    for (const sub of command.commands) {
      const name = path ? `${path} ${sub.name()}` : sub.name();
      table.set(name, sub.options.filter((o) => !o.hidden && o.long).map((o) => o.long!));
      walk(sub, name);
    }
  };
  walk(program, '');
  return table;
}

export function completionScript(program: Command, shell: string): string {
  const table = commandTable(program);
  const globals = program.options.filter((o) => !o.hidden && o.long).map((o) => o.long!);
  const top = [...table.keys()].filter((k) => !k.includes(' '));
  const cases = [...table].map(([path, options]) => {
    const subs = [...table.keys()].filter((k) => k.startsWith(`${path} `) && k.split(' ').length === path.split(' ').length + 1).map((k) => k.split(' ').pop()!);
    return `    "${path}") words_="${[...subs, ...options, '--help'].join(' ')}" ;;`;
  });
  const body = `  local path_="" w next_
  for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$w" in -*) continue ;; esac
    next_="\${path_:+$path_ }$w"
    [ -n "$(_hapki_words "$next_")" ] && path_="$next_"
  done`;
  if (shell === 'bash') {
    return `# hapki bash completion: source <(hapki completion bash), or save it in /etc/bash_completion.d/hapki
_hapki_words() {
  local words_=""
  case "$1" in
    "") words_="${[...top, ...globals, '--help', '--version'].join(' ')}" ;;
${cases.join('\n')}
  esac
  printf '%s' "$words_"
}
_hapki() {
${body}
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [[ "$cur" == -* || -n "$(_hapki_words "$path_")" ]]; then
    COMPREPLY=( $(compgen -W "$(_hapki_words "$path_")" -- "$cur") )
    [[ "$cur" != -* ]] && COMPREPLY+=( $(compgen -f -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -F _hapki hapki
`;
  }
  if (shell === 'zsh') {
    return `#compdef hapki
# hapki zsh completion: source <(hapki completion zsh), or save it as _hapki in a directory of $fpath
autoload -U +X bashcompinit && bashcompinit
${completionScript(program, 'bash').split('\n').slice(1).join('\n')}`;
  }
  throw new UsageError('completion is for bash or zsh');
}

export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print a shell completion script for hapki\'s commands and options')
    .argument('<shell>', 'bash or zsh')
    .addHelpText('after', `
Examples:
  source <(hapki completion bash)
  hapki completion bash | sudo tee /etc/bash_completion.d/hapki
  hapki completion zsh > "\${fpath[1]}/_hapki"
${EXIT_CODES_HELP}`)
    .action((shell: string) => {
      ctx.io.stdout(completionScript(program, shell));
    });
}
