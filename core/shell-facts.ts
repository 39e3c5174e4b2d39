// What a real shell parser found in a terminal command, as the policy judges it: every simple
// command and redirect, each word either computed (the value bash would produce) or unknown.
// The parser lives in judge/; this file is the shape and the command knowledge.
import { codeOrWrites } from './code-options.js';

export interface ShellWord {
  /** The word as written. */
  text: string;
  /** The single field bash expands it to, when the judge can compute it. */
  value?: string;
  /** Why the value cannot be known before running (a substitution, an unset variable, a glob …). */
  unknown?: string;
  /** For an unknown word: the literal directory before its first unknown part, which it expands under. */
  prefix?: string;
  /** For a word bash brace-expands into several: each field, judged on its own. */
  fields?: ShellWord[];
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

/** Programs that run other programs (taken off to judge what they run) and shells (their `-c` script is judged). */
export { SHELLS, WRAPPERS } from './code-options.js';

/**
 * Where this use of a program runs code or writes files, the reason (from the one table in
 * core/code-options); undefined when it does not. `env` names the variables the command assigns.
 */
export function codeCarrying(program: string, args: string[], env: string[] = []): string | undefined {
  return codeOrWrites(program, args, env);
}

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

/** Programs whose every use reaches the network: network clients, and package managers and builders that fetch. */
const NETWORK_PROGRAMS = new Set([
  ...[
    'curl',
    'wget',
    'nc',
    'ncat',
    'netcat',
    'socat',
    'telnet',
    'ssh',
    'scp',
    'sftp',
    'ftp',
    'lftp',
    'aria2c',
    'http',
    'https',
    'xh',
    'ping',
    'dig',
    'nslookup',
    'host',
    'whois',
    'traceroute',
    'nmap',
    'mosh',
    'rclone',
    'gh',
  ],
  ...[
    'npm',
    'pnpm',
    'yarn',
    'bun',
    'pip',
    'pip3',
    'uv',
    'poetry',
    'cargo',
    'go',
    'gem',
    'apt',
    'apt-get',
    'brew',
    'conda',
    'docker',
    'podman',
    'composer',
    'mvn',
    'gradle',
    'npx',
  ],
]);
const GIT_NETWORK = new Set([
  'clone',
  'fetch',
  'pull',
  'push',
  'ls-remote',
  'submodule',
  'remote',
  'send-email',
  'archive',
]);

/** Programs that reach the network, and whether this use of them does. */
export function reachesNetwork(program: string, args: string[]): boolean {
  if (NETWORK_PROGRAMS.has(program)) return true;
  if (program === 'rsync') return args.some((a) => /^[^/]*:/.test(a) || a.includes('://'));
  if (program === 'git') return GIT_NETWORK.has(gitSubcommand(args) ?? '');
  return false;
}

/** Options that send a network command somewhere its URLs do not say (a proxy, a resolve override, a config or URL file). */
const REDIRECTING_OPTIONS =
  /^(-x|-K|-i|-e|-E|-F|-J|-o\s*Proxy|--proxy.*|--preproxy.*|--socks.*|--resolve.*|--connect-to.*|--doh-url.*|--config.*|--input-file.*|--execute.*|--next|-:|ProxyCommand.*|ProxyJump.*)$/;

/**
 * Hosts named by a network command's arguments: URLs and `user@host:` / `host:path` forms.
 * `undefined` stands for a destination the judge cannot read (a proxy, a resolve override, a file of URLs).
 */
export function networkHosts(program: string, args: string[]): Array<string | undefined> {
  const hosts: Array<string | undefined> = [];
  for (const a of args) {
    if (
      REDIRECTING_OPTIONS.test(a) &&
      ['curl', 'wget', 'ssh', 'scp', 'sftp', 'aria2c', 'http', 'https', 'xh', 'lftp'].includes(program)
    ) {
      hosts.push(undefined);
      continue;
    }
    const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#]+)/i.exec(a);
    if (url) hosts.push(url[1]!.toLowerCase());
    else if (
      ['ssh', 'scp', 'sftp', 'rsync', 'git', 'mosh'].includes(program) &&
      /^(?:[^@\s/]+@)?([a-z0-9.-]+)(?::|$)/i.test(a) &&
      (a.includes('@') || a.includes(':'))
    )
      hosts.push(/^(?:[^@\s/]+@)?([a-z0-9.-]+)/i.exec(a)![1]!.toLowerCase());
    else if (
      [
        'ssh',
        'sftp',
        'mosh',
        'nc',
        'ncat',
        'netcat',
        'telnet',
        'ping',
        'dig',
        'host',
        'nslookup',
        'whois',
        'traceroute',
        'nmap',
      ].includes(program) &&
      /^[a-z0-9.-]+\.[a-z]{2,}$|^\d+\.\d+\.\d+\.\d+$|^localhost$/i.test(a)
    )
      hosts.push(a.toLowerCase());
  }
  return hosts;
}

/** Programs that only read (when no redirect writes): what may run unasked even without the OS sandbox. */
const READ_ONLY = new Set([
  'ls',
  'cat',
  'head',
  'tail',
  'wc',
  'grep',
  'egrep',
  'fgrep',
  'rg',
  'echo',
  'printf',
  'pwd',
  'stat',
  'file',
  'du',
  'df',
  'diff',
  'cmp',
  'uniq',
  'cut',
  'tr',
  'date',
  'which',
  'type',
  'basename',
  'dirname',
  'realpath',
  'readlink',
  'true',
  'false',
  'test',
  '[',
  'id',
  'whoami',
  'uname',
  'tree',
  'nl',
  'od',
  'hexdump',
  'xxd',
  'sha256sum',
  'sha1sum',
  'md5sum',
  'jq',
  'seq',
  'sleep',
  'column',
  'sort',
  'comm',
  'paste',
  'fold',
  'expand',
  'rev',
  'tac',
  'strings',
  'env',
  'printenv',
  'hostname',
  'nproc',
  'free',
  'uptime',
  'ps',
]);

export function readOnlyCommand(program: string, args: string[]): boolean {
  if (program === 'find') return !codeOrWrites(program, args);
  if (program === 'git')
    return (
      !codeOrWrites(program, args) &&
      ['status', 'log', 'diff', 'show', 'blame', 'ls-files', 'rev-parse', 'describe', 'shortlog'].includes(
        gitSubcommand(args) ?? '',
      )
    );
  return READ_ONLY.has(program) && !codeOrWrites(program, args);
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
  return (
    word === '.' ||
    word === '..' ||
    word.startsWith('/') ||
    word.startsWith('~') ||
    word.startsWith('./') ||
    word.startsWith('../') ||
    (word.includes('/') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(word))
  );
}

/**
 * Every path a word may name, for the guard to judge: the word itself (a leading `-` included),
 * the text after each `=` (`--file=p`, dd's `if=p`) and after a leading `@` or `<` (curl's `@file`),
 * each place a bundle of short options may end (`-xfp`, `-o-/p`), and a `file:` URL's path.
 * @example pathCandidates('-vf.vloop/t') // ['-vf.vloop/t', 'f.vloop/t', '.vloop/t']
 */
export function pathCandidates(word: string): string[] {
  const local = fileUrlPath(word);
  if (local !== undefined) return [local];
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(word)) return [];
  const out = new Set<string>([word]);
  const add = (s: string) => {
    if (!s) return;
    out.add(s);
    if (s.startsWith('@') || s.startsWith('<')) out.add(s.slice(1));
  };
  add(word);
  let at = word.indexOf('=');
  for (let n = 0; at >= 0 && n < MAX_SPLITS; n++, at = word.indexOf('=', at + 1)) add(word.slice(at + 1));
  if (/^-[^-]/.test(word)) {
    // Short options bundle letters until one takes the rest of the word as its value.
    let end = 1;
    while (end < word.length && /[A-Za-z0-9]/.test(word[end]!)) end++;
    for (let k = 2; k <= end && k < word.length; k++) if (k - 2 < MAX_SPLITS || k === end) add(word.slice(k));
  }
  return [...out];
}

const MAX_SPLITS = 32;
