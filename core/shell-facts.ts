// What a real shell parser found in a terminal command, as the policy judges it: every simple
// command and redirect, each word either computed (the value bash would produce) or unknown.
// The parser lives in activities/tools/judge; this file is the shape and the command knowledge.

export interface ShellWord {
  /** The word as written. */
  text: string;
  /** The single field bash expands it to, when the judge can compute it. */
  value?: string;
  /** Why the value cannot be known before running (a substitution, an unset variable, a glob …). */
  unknown?: string;
  /** For an unknown word: the literal directory before its first unknown part, which it expands under. */
  prefix?: string;
}

export interface ShellCommand {
  /** The command name and its arguments, wrappers (sudo, env, timeout …) already taken off. */
  words: ShellWord[];
  /** Wrappers in front of it (`sudo`, `env`, …), outermost first. */
  wrappers: string[];
  /** The wrappers' own words (their options and operands), still judged as paths. */
  wrapperWords: ShellWord[];
  /** Environment assignments in front of it (`FOO=1 cmd`). */
  assigns: string[];
}

export interface ShellRedirect {
  /** `>`, `>>`, `<`, `<>`, `>|`, `&>`, `&>>`, `<&`, `>&`, `<<`, `<<-`, `<<<`. */
  op: string;
  target: ShellWord;
}

export interface ShellFacts {
  commands: ShellCommand[];
  redirects: ShellRedirect[];
  /** Set when the text is not a command bash would accept; such a command is denied. */
  unparseable?: string;
  /** Constructs that run code the judge cannot see (a script file, an unreadable `bash -c`). */
  opaque: string[];
  /** Variables the command assigns anywhere (their values are unknown to the judge). */
  assigned: string[];
}

/** Programs that run other programs: taken off to judge the command they run, and code-carrying themselves. */
export const WRAPPERS = new Set(['sudo', 'doas', 'su', 'runuser', 'env', 'nohup', 'nice', 'ionice', 'time', 'timeout', 'command', 'builtin', 'exec', 'stdbuf', 'setsid', 'chroot', 'unshare', 'nsenter', 'flock', 'taskset', 'chrt', 'strace', 'ltrace', 'watch', 'script', 'unbuffer', 'caffeinate', 'firejail', 'busybox']);

/** Shells: their `-c` script is parsed and judged; a script file is opaque. */
export const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'ksh', 'mksh', 'fish', 'csh', 'tcsh', 'ash', 'rbash']);

/** Interpreters and tools whose arguments are code (inline or in a file). */
const INTERPRETERS = /^(python[0-9.]*|pypy[0-9.]*|node(js)?|deno|bun|perl[0-9.]*|ruby[0-9.]*|irb|php[0-9.]*|lua[0-9.]*|luajit|tclsh[0-9.]*|wish|Rscript|R|julia|osascript|awk|gawk|mawk|nawk|jshell|groovy|scala|ghci|runghc|swift|expect|make|gmake|cmake|ninja|npx|pnpx|bunx|uvx|pipx|gdb|vim?|nvim|emacs|ed|ex|m4|dc|bc|sqlite3|psql|mysql|eval|source|\.|alias|trap|enable|fc|xargs|parallel|at|batch|crontab|systemd-run|ssh-agent|dbus-launch)$/;

/** Where a program runs code of its arguments, the reason; undefined when it does not. */
export function codeCarrying(program: string, args: string[]): string | undefined {
  if (SHELLS.has(program)) return `${program} runs shell code`;
  if (INTERPRETERS.test(program)) return `${program} runs code from its arguments`;
  if (WRAPPERS.has(program)) return `${program} runs another program`;
  switch (program) {
    case 'find':
      return args.some((a) => /^-(exec|execdir|ok|okdir)$/.test(a)) ? 'find -exec runs a command per file' : undefined;
    case 'git': {
      if (args.some((a) => a === '-c' || /^-c./.test(a) || a.startsWith('--config-env') || a.startsWith('--exec-path'))) return 'git -c sets configuration that can run programs';
      const sub = gitSubcommand(args);
      if (sub && GIT_RUNS.has(sub)) return `git ${sub} can run programs`;
      if (sub === 'rebase' && args.some((a) => a === '-x' || a.startsWith('--exec'))) return 'git rebase --exec runs commands';
      if (sub && !GIT_BUILTINS.has(sub)) return `git ${sub} may be an alias or an external git-${sub} program`;
      return undefined;
    }
    case 'sed':
      return sedRuns(args);
    case 'npm':
    case 'pnpm':
    case 'yarn':
    case 'bun':
      return args.some((a) => ['run', 'run-script', 'exec', 'x', 'test', 't', 'start', 'stop', 'restart', 'install', 'i', 'ci', 'add', 'rebuild', 'dlx', 'create', 'init'].includes(a)) ? `${program} runs package scripts` : undefined;
    case 'pip':
    case 'pip3':
    case 'uv':
    case 'poetry':
    case 'cargo':
    case 'go':
    case 'mvn':
    case 'gradle':
    case 'docker':
    case 'podman':
    case 'kubectl':
      return `${program} builds or runs code`;
    case 'tar':
      return args.some((a) => /^--(to-command|use-compress-program|checkpoint-action|info-script|new-volume-script|rsh-command)/.test(a) || /^-[A-Za-z]*I/.test(a)) ? 'tar runs a program' : undefined;
    case 'nc':
    case 'ncat':
    case 'netcat':
      return args.some((a) => /^(-[a-zA-Z]*[ec]|--exec|--sh-exec|--lua-exec)/.test(a)) ? `${program} -e runs a program for the connection` : undefined;
    case 'socat':
      return args.some((a) => /^(EXEC|SYSTEM):/i.test(a)) ? 'socat EXEC runs a program' : undefined;
    case 'rsync':
      return args.some((a) => /^(-e|--rsh|--rsync-path)/.test(a)) ? 'rsync runs a remote shell command' : undefined;
    case 'ssh':
      return 'ssh runs commands on another machine';
    case 'less':
    case 'more':
    case 'man':
      return args.some((a) => /^-/.test(a) && /[+P]/.test(a)) ? `${program} options can run commands` : undefined;
    default:
      return undefined;
  }
}

/** git subcommands that run programs, or write configuration (hooks, pagers, fsmonitor) that later git commands run. */
const GIT_RUNS = new Set(['config', 'filter-branch', 'bisect', 'submodule', 'difftool', 'mergetool', 'send-email', 'daemon', 'instaweb', 'svn', 'p4', 'cvsimport', 'archimport', 'web--browse', 'hook', 'var']);

const GIT_BUILTINS = new Set(['status', 'log', 'diff', 'show', 'branch', 'tag', 'add', 'commit', 'checkout', 'switch', 'restore', 'reset', 'rm', 'mv', 'init', 'clone', 'fetch', 'pull', 'push', 'merge', 'rebase', 'stash', 'remote', 'config', 'rev-parse', 'rev-list', 'ls-files', 'ls-tree', 'ls-remote', 'cat-file', 'blame', 'grep', 'describe', 'shortlog', 'reflog', 'cherry-pick', 'revert', 'clean', 'worktree', 'notes', 'apply', 'am', 'format-patch', 'archive', 'gc', 'fsck', 'help', 'version', 'submodule', 'bisect', 'filter-branch', 'difftool', 'mergetool', 'send-email', 'daemon', 'instaweb', 'svn', 'p4', 'cvsimport', 'archimport', 'web--browse', 'show-ref', 'symbolic-ref', 'update-ref', 'for-each-ref', 'name-rev', 'whatchanged', 'range-diff', 'sparse-checkout', 'maintenance']);

/** The git subcommand: the first argument after git's own options (`-C dir`, `--git-dir=…`). */
export function gitSubcommand(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-C' || a === '-c' || a === '--git-dir' || a === '--work-tree' || a === '--namespace') {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a;
  }
  return undefined;
}

/** sed is safe only with scripts made of plain substitutions, prints and deletes; anything else may write or run. */
function sedRuns(args: string[]): string | undefined {
  const scripts: string[] = [];
  let file = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '--expression') scripts.push(args[++i] ?? '');
    else if (a.startsWith('--expression=')) scripts.push(a.slice('--expression='.length));
    else if (a === '-f' || a.startsWith('--file') || /^-[a-zA-Z]*f/.test(a)) file = true;
    else if (a.startsWith('-')) continue;
    else if (!scripts.length) scripts.push(a);
  }
  if (file) return 'sed runs a script file';
  const safe = /^\s*(?:(?:\d+|\$|\/[^/\n]*\/)(?:,(?:\d+|\$|\/[^/\n]*\/))?\s*)?(?:[pdqn=]|s(.)(?:(?!\1)[^\\\n]|\\.)*\1(?:(?!\1)[^\\\n]|\\.)*\1[gpiIm0-9]*)\s*$/;
  for (const script of scripts) {
    for (const part of script.split(/[;\n]/)) {
      if (part.trim() && !safe.test(part)) return 'sed script may write files or run commands';
    }
  }
  return undefined;
}

/** Programs that reach the network, and whether this use of them does. */
export function reachesNetwork(program: string, args: string[]): boolean {
  if (['curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'ssh', 'scp', 'sftp', 'ftp', 'lftp', 'aria2c', 'http', 'https', 'xh', 'ping', 'dig', 'nslookup', 'host', 'whois', 'traceroute', 'nmap', 'mosh', 'rclone', 'gh'].includes(program)) return true;
  if (program === 'rsync') return args.some((a) => /^[^/]*:/.test(a) || a.includes('://'));
  if (program === 'git') return ['clone', 'fetch', 'pull', 'push', 'ls-remote', 'submodule', 'remote', 'send-email', 'archive'].includes(gitSubcommand(args) ?? '');
  if (['npm', 'pnpm', 'yarn', 'bun', 'pip', 'pip3', 'uv', 'poetry', 'cargo', 'go', 'gem', 'apt', 'apt-get', 'brew', 'conda', 'docker', 'podman', 'composer', 'mvn', 'gradle', 'npx'].includes(program)) return true;
  return false;
}

/** Options that send a network command somewhere its URLs do not say (a proxy, a resolve override, a config or URL file). */
const REDIRECTING_OPTIONS = /^(-x|-K|-i|-e|-E|-F|-J|-o\s*Proxy|--proxy.*|--preproxy.*|--socks.*|--resolve.*|--connect-to.*|--doh-url.*|--config.*|--input-file.*|--execute.*|--next|-:|ProxyCommand.*|ProxyJump.*)$/;

/**
 * Hosts named by a network command's arguments: URLs and `user@host:` / `host:path` forms.
 * `undefined` stands for a destination the judge cannot read (a proxy, a resolve override, a file of URLs).
 */
export function networkHosts(program: string, args: string[]): Array<string | undefined> {
  const hosts: Array<string | undefined> = [];
  for (const a of args) {
    if (REDIRECTING_OPTIONS.test(a) && ['curl', 'wget', 'ssh', 'scp', 'sftp', 'aria2c', 'http', 'https', 'xh', 'lftp'].includes(program)) {
      hosts.push(undefined);
      continue;
    }
    const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#]+)/i.exec(a);
    if (url) hosts.push(url[1]!.toLowerCase());
    else if (['ssh', 'scp', 'sftp', 'rsync', 'git', 'mosh'].includes(program) && /^(?:[^@\s/]+@)?([a-z0-9.-]+)(?::|$)/i.test(a) && (a.includes('@') || a.includes(':'))) hosts.push(/^(?:[^@\s/]+@)?([a-z0-9.-]+)/i.exec(a)![1]!.toLowerCase());
    else if (['ssh', 'sftp', 'mosh', 'nc', 'ncat', 'netcat', 'telnet', 'ping', 'dig', 'host', 'nslookup', 'whois', 'traceroute', 'nmap'].includes(program) && /^[a-z0-9.-]+\.[a-z]{2,}$|^\d+\.\d+\.\d+\.\d+$|^localhost$/i.test(a)) hosts.push(a.toLowerCase());
  }
  return hosts;
}

/** Programs that only read (when no redirect writes): what may run unasked even without the OS sandbox. */
const READ_ONLY = new Set(['ls', 'cat', 'head', 'tail', 'wc', 'grep', 'egrep', 'fgrep', 'rg', 'echo', 'printf', 'pwd', 'stat', 'file', 'du', 'df', 'diff', 'cmp', 'uniq', 'cut', 'tr', 'date', 'which', 'type', 'basename', 'dirname', 'realpath', 'readlink', 'true', 'false', 'test', '[', 'id', 'whoami', 'uname', 'tree', 'nl', 'od', 'hexdump', 'xxd', 'sha256sum', 'sha1sum', 'md5sum', 'jq', 'seq', 'sleep', 'column', 'sort', 'comm', 'paste', 'fold', 'expand', 'rev', 'tac', 'strings', 'env', 'printenv', 'hostname', 'nproc', 'free', 'uptime', 'ps']);

export function readOnlyCommand(program: string, args: string[]): boolean {
  if (program === 'git') return ['status', 'log', 'diff', 'show', 'blame', 'ls-files', 'rev-parse', 'describe', 'shortlog'].includes(gitSubcommand(args) ?? '');
  if (program === 'find') return !args.some((a) => /^-(delete|fprint|fprint0|fprintf|fls|exec|execdir|ok|okdir)$/.test(a));
  if (program === 'sort') return !args.some((a) => /^-o|^--output/.test(a));
  return READ_ONLY.has(program);
}

/** Words starting with these look like paths the guard must judge. */
/** The local path a `file:` URL names, which the guard judges like any path. */
export function fileUrlPath(word: string): string | undefined {
  const m = /^file:(?:\/\/[^/]*)?(\/.*)$/i.exec(word);
  return m ? decodeURIComponentSafe(m[1]!) : undefined;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function looksLikePath(word: string): boolean {
  return word === '.' || word === '..' || word.startsWith('/') || word.startsWith('~') || word.startsWith('./') || word.startsWith('../') || (word.includes('/') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(word));
}

/**
 * The path an option or operand carries (`--file=/p`, `-f/p`, dd's `if=/p`), so the guard judges
 * it like any path argument. `-o /p` needs nothing here: `/p` is its own word.
 */
export function optionPath(word: string): string | undefined {
  const long = /^-*[^=/]+=(.+)$/.exec(word);
  if (long) return looksLikePath(long[1]!) ? long[1] : undefined;
  const short = /^-[A-Za-z0-9]([/~.].*)$/.exec(word);
  if (short && looksLikePath(short[1]!)) return short[1];
  return undefined;
}
