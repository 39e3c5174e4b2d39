// The one table of what makes a program run code or write files: its always-dangerous uses, its
// options (read the way getopt_long reads them: bundles, `-ofile`, `--opt=v`, unique prefixes, `--`),
// the environment it obeys, and the languages it carries (sed and awk scripts, find primaries).
// A match makes the command ask; the OS sandbox, not this table, is what confines it.

interface ProgramEntry {
  /** Every use runs code or writes files: why. */
  always?: string;
  /** Short option letters that take a value (`-o file`, `-ofile`), and long options that do. */
  shortValues?: string;
  longValues?: string[];
  /** Options (`-x`, `--to-command`) that run code or write files: why. Any prefix of a long one counts as it. */
  danger?: Record<string, string>;
  /**
   * The program's other long options, as its --help lists them: an exact name is itself (tar's `--list`
   * is not `--listed-incremental`), and a prefix a dangerous one shares with them is still taken as dangerous.
   */
  longs?: string[];
  /** `-W name=value` stands for `--name=value` (gawk, mawk). */
  wLongs?: boolean;
  /** Environment variables (assigned by the command) that make it run code. */
  env?: RegExp;
  /** The first argument may be a bundle of letters without a dash (`tar xf a.tar`). */
  bareBundle?: boolean;
  /** Operand-level knowledge (a script, an expression, a subcommand): why, when it runs code or writes. */
  check?: (a: ParsedArgs) => string | undefined;
}

export interface ParsedArgs {
  /** The arguments as written. */
  raw: string[];
  /** `-x` or `--long`, with the value it took. */
  options: Array<{ name: string; value?: string }>;
  operands: string[];
}

const RUNS_ANOTHER = 'runs another program';
const WRITES = 'writes files';

/** Interpreters and tools whose arguments or input are code. */
const INTERPRETERS = [
  'python',
  'pypy',
  'node',
  'nodejs',
  'deno',
  'bun',
  'perl',
  'ruby',
  'irb',
  'php',
  'lua',
  'luajit',
  'tclsh',
  'wish',
  'Rscript',
  'R',
  'julia',
  'osascript',
  'jshell',
  'groovy',
  'scala',
  'ghci',
  'runghc',
  'swift',
  'expect',
  'make',
  'gmake',
  'cmake',
  'ninja',
  'npx',
  'pnpx',
  'bunx',
  'uvx',
  'pipx',
  'gdb',
  'vi',
  'vim',
  'view',
  'nvim',
  'emacs',
  'ed',
  'ex',
  'm4',
  'dc',
  'bc',
  'sqlite3',
  'psql',
  'mysql',
  'eval',
  'source',
  '.',
  'alias',
  'trap',
  'enable',
  'fc',
  'xargs',
  'parallel',
  'at',
  'batch',
  'crontab',
  'systemd-run',
  'ssh-agent',
  'dbus-launch',
  'tmux',
  'screen',
  'xdg-open',
  'open',
  'gcc',
  'g++',
  'cc',
  'c++',
  'clang',
  'clang++',
  'rustc',
  'javac',
  'java',
  'go',
  'cargo',
  'pip',
  'uv',
  'poetry',
  'mvn',
  'gradle',
  'docker',
  'podman',
  'kubectl',
  'ssh',
  'scp',
  'sftp',
  'rsync',
  'patch',
  'sponge',
];
const SHELL_NAMES = ['bash', 'sh', 'dash', 'zsh', 'ksh', 'mksh', 'fish', 'csh', 'tcsh', 'ash', 'rbash'];
const WRAPPER_NAMES = [
  'sudo',
  'doas',
  'su',
  'runuser',
  'env',
  'nohup',
  'nice',
  'ionice',
  'time',
  'timeout',
  'command',
  'builtin',
  'exec',
  'stdbuf',
  'setsid',
  'chroot',
  'unshare',
  'nsenter',
  'flock',
  'taskset',
  'chrt',
  'strace',
  'ltrace',
  'watch',
  'script',
  'unbuffer',
  'caffeinate',
  'firejail',
  'busybox',
];
/** Programs that run other programs: the judge takes them off to judge the command they run. */
export const WRAPPERS = new Set(WRAPPER_NAMES);
/** Shells: their `-c` script is parsed and judged; a script file is opaque. */
export const SHELLS = new Set(SHELL_NAMES);
const COPIERS = ['cp', 'mv', 'ln', 'install', 'tee', 'truncate', 'shred', 'csplit'];

/** git subcommands that only read the repository (with no option below that writes or runs). */
const GIT_READS = new Set([
  'status',
  'log',
  'diff',
  'show',
  'blame',
  'annotate',
  'ls-files',
  'ls-tree',
  'rev-parse',
  'rev-list',
  'describe',
  'shortlog',
  'grep',
  'branch',
  'tag',
  'cat-file',
  'reflog',
  'show-ref',
  'for-each-ref',
  'name-rev',
  'whatchanged',
  'range-diff',
  'count-objects',
  'help',
  'version',
  'diff-tree',
  'diff-files',
  'diff-index',
  'merge-base',
  'check-ignore',
  'check-attr',
  'remote',
  'fetch',
  'push',
  'ls-remote',
  'stash',
  'notes',
  'fsck',
]);
/** git subcommands that write the work tree, the index or the repository (delete files, move HEAD, make objects). */
const GIT_WRITES = new Set([
  'add',
  'commit',
  'merge',
  'pull',
  'cherry-pick',
  'revert',
  'reset',
  'rm',
  'mv',
  'clean',
  'gc',
  'stage',
  'citool',
  'gui',
  'pack-refs',
  'prune-packed',
  'write-tree',
  'commit-tree',
  'mktag',
  'mktree',
  'unpack-objects',
  'hash-object',
  'index-pack',
  'multi-pack-index',
  'commit-graph',
  'rerere',
  'annotate-tag',
  'fast-export',
  'backfill',
  'refs',
  'scalar',
]);
/** Of the reading subcommands, the uses that write or run something: why, or undefined while they only read. */
const GIT_SUB_USES: Record<string, (a: ParsedArgs) => string | undefined> = {
  branch: (a) =>
    has(
      a,
      /^(-[dDmMcCfu]|--delete|--move|--copy|--force|--set-upstream-to|--unset-upstream|--edit-description|--track|--no-track|--create-reflog)$/,
    ) ||
    (a.operands.length && !has(a, /^(-l|--list|--contains|--no-contains|--merged|--no-merged|--points-at)$/))
      ? 'git branch makes, moves or deletes branches'
      : undefined,
  tag: (a) =>
    has(a, /^(-[dasufmFe]|--delete|--annotate|--sign|--local-user|--force|--message|--file|--edit|--create-reflog)$/) ||
    (a.operands.length &&
      !has(a, /^(-l|--list|-v|--verify|--contains|--no-contains|--merged|--no-merged|--points-at)$/))
      ? 'git tag makes or deletes tags, or opens an editor'
      : undefined,
  remote: (a) =>
    a.operands.length && !['show', 'get-url'].includes(a.operands[0]!)
      ? `git remote ${a.operands[0]} changes the repository's remotes`
      : undefined,
  stash: (a) =>
    ['list', 'show'].includes(a.operands[0] ?? '') ? undefined : 'git stash writes the work tree and the repository',
  notes: (a) =>
    !a.operands.length || ['list', 'show'].includes(a.operands[0]!)
      ? undefined
      : `git notes ${a.operands[0]} writes notes or opens an editor`,
  reflog: (a) =>
    ['expire', 'delete', 'drop'].includes(a.operands[0] ?? '')
      ? `git reflog ${a.operands[0]} rewrites the reflog`
      : undefined,
  // `git help x` opens man (or info, or a browser with -w); only listing (-a, -g, --config) reads.
  help: (a) =>
    a.operands.length || has(a, /^(-[wmi]|--web|--man|--info)$/)
      ? 'git help runs man, info or a web browser'
      : undefined,
};
const has = (a: ParsedArgs, names: RegExp) => a.options.some((o) => names.test(o.name));
/** git subcommands that run configured or given programs, or write the work tree from outside data. */
const GIT_RUNS = new Set([
  'config',
  'filter-branch',
  'filter-repo',
  'bisect',
  'submodule',
  'difftool',
  'mergetool',
  'send-email',
  'daemon',
  'instaweb',
  'svn',
  'p4',
  'cvsimport',
  'archimport',
  'web--browse',
  'hook',
  'var',
  'apply',
  'am',
  'checkout',
  'switch',
  'restore',
  'clone',
  'init',
  'worktree',
  'rebase',
  'archive',
  'format-patch',
  'sparse-checkout',
  'maintenance',
  'credential',
  'upload-pack',
  'receive-pack',
  'fast-import',
  'replace',
  'update-ref',
  'symbolic-ref',
  'update-index',
  'read-tree',
  'checkout-index',
  'bundle',
  'request-pull',
  'imap-send',
  'quiltimport',
  'mailsplit',
  'mailinfo',
  'merge-file',
  'merge-tree',
  'pack-objects',
  'prune',
  'repack',
]);

const GIT_GLOBAL_VALUES = [
  '-C',
  '-c',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--exec-path',
  '--config-env',
  '--super-prefix',
  '--list-cmds',
  '--attr-source',
];
const GIT_GLOBAL_DANGER = new Set([
  '-c',
  '-C',
  '--git-dir',
  '--work-tree',
  '--exec-path',
  '--config-env',
  '--super-prefix',
  '--namespace',
  '-p',
  '--paginate',
  '--attr-source',
]);

/** Options of git subcommands that write files or run programs, for every subcommand. */
const GIT_SUB: ProgramEntry = {
  shortValues: 'efmnABL',
  longValues: [
    '--output',
    '--open-files-in-pager',
    '--exec',
    '--upload-pack',
    '--receive-pack',
    '--template',
    '--separate-git-dir',
    '--output-directory',
    '--config',
    '--reference',
    '--git-dir',
  ],
  longs: ['--text', '--web', '--man', '--info', '--list'],
  danger: {
    '-O': 'git grep -O runs a pager program',
    '--open-files-in-pager': 'git grep --open-files-in-pager runs a program',
    '--output': 'writes its output to a file',
    '--output-directory': 'writes files',
    '--ext-diff': 'runs an external diff program',
    '--textconv': 'runs a configured text conversion program',
    '--exec': 'runs a command',
    '--upload-pack': 'runs a program',
    '--receive-pack': 'runs a program',
    '--template': 'copies hooks from a template',
    '--separate-git-dir': 'moves the repository',
    '--config': 'sets configuration that can run programs',
    '--interactive': 'opens an editor program',
    '--edit': 'opens an editor program',
    '--tool': 'runs a diff tool',
    '--extcmd': 'runs a command',
  },
};

const SED: ProgramEntry = {
  shortValues: 'efl',
  longValues: ['--expression', '--file', '--line-length'],
  longs: [
    '--debug',
    '--follow-symlinks',
    '--help',
    '--null-data',
    '--posix',
    '--quiet',
    '--regexp-extended',
    '--sandbox',
    '--separate',
    '--silent',
    '--unbuffered',
    '--version',
    '--zero-terminated',
    '--binary',
  ],
  danger: {
    '-i': 'sed -i writes files in place',
    '--in-place': 'sed --in-place writes files',
    '-f': 'sed runs a script file the judge cannot read',
    '--file': 'sed runs a script file the judge cannot read',
  },
  check: (a) => {
    const scripts = a.options.filter((o) => o.name === '-e' || o.name === '--expression').map((o) => o.value ?? '');
    if (!scripts.length && a.operands.length) scripts.push(a.operands[0]!);
    for (const s of scripts) {
      const why = sedScriptRuns(s);
      if (why) return why;
    }
    return undefined;
  },
};

const AWK: ProgramEntry = {
  shortValues: 'efvFEilW',
  longValues: ['--file', '--assign', '--field-separator', '--exec', '--include', '--load', '--source'],
  longs: [
    '--bignum',
    '--characters-as-bytes',
    '--copyright',
    '--csv',
    '--debug',
    '--dump-variables',
    '--gen-pot',
    '--help',
    '--lint',
    '--lint-old',
    '--no-optimize',
    '--non-decimal-data',
    '--optimize',
    '--posix',
    '--pretty-print',
    '--profile',
    '--re-interval',
    '--sandbox',
    '--trace',
    '--traditional',
    '--use-lc-numeric',
    '--version',
    '--dump',
    '--interactive',
    '--sprintf',
    '--posix_space',
    '--usage',
    '--random',
  ],
  wLongs: true,
  danger: {
    '-f': 'awk runs a program file',
    '--file': 'awk runs a program file',
    '-E': 'awk runs a program file',
    '--exec': 'awk runs a program file',
    '-i': 'awk includes a source file',
    '--include': 'awk includes a source file',
    '-l': 'awk loads an extension',
    '--load': 'awk loads an extension',
  },
  check: (a) => {
    // Every -e / --source is program text; without them (and without -f, which asks) the first operand is.
    const programs = a.options.filter((o) => o.name === '-e' || o.name === '--source').map((o) => o.value ?? '');
    if (!programs.length && a.operands.length) programs.push(a.operands[0]!);
    // system(), pipes, output redirection, getline from files or commands, extensions and indirect calls.
    if (programs.some((p) => /system|\||>|getline|@|\bclose\b|ENVIRON|PROCINFO|fflush/.test(p)))
      return 'the awk program may run commands, write or read files';
    return undefined;
  },
};

const FIND_DANGER = /^-(exec|execdir|ok|okdir|fprint|fprint0|fprintf|fls|delete)$/;

const LESS: ProgramEntry = {
  shortValues: 'bhjkopOPtTxyz#',
  longValues: ['--lesskey-file', '--lesskey-src', '--log-file', '--LOG-FILE', '--tag', '--tag-file', '--prompt'],
  danger: {
    '-k': 'less reads key bindings that can run commands',
    '--lesskey-file': 'less reads key bindings that can run commands',
    '--lesskey-src': 'less reads key bindings that can run commands',
    '-o': 'less writes a log file',
    '-O': 'less writes a log file',
    '--log-file': 'less writes a log file',
    '--LOG-FILE': 'less writes a log file',
  },
  env: /^(LESSOPEN|LESSCLOSE|LESSKEY|LESSKEYIN|LESSKEY_SYSTEM|LESS|LESSSECURE|EDITOR|VISUAL|SHELL)$/,
  check: (a) => (a.operands.some((o) => o.startsWith('+')) ? 'a + command runs when the pager opens' : undefined),
};

const COMPRESSOR: ProgramEntry = {
  check: (a) =>
    a.options.some((o) => /^(-c|--stdout|--to-stdout|-l|--list|-t|--test)$/.test(o.name)) || !a.operands.length
      ? undefined
      : 'it replaces files with their (de)compressed copies',
};

export const PROGRAMS: Record<string, ProgramEntry> = {
  ...Object.fromEntries(SHELL_NAMES.map((p) => [p, { always: `${p} runs shell code` }])),
  ...Object.fromEntries(INTERPRETERS.map((p) => [p, { always: `${p} runs code from its arguments or input` }])),
  ...Object.fromEntries(WRAPPER_NAMES.map((p) => [p, { always: `${p} ${RUNS_ANOTHER}` }])),
  ...Object.fromEntries(
    COPIERS.map((p) => [
      p,
      { check: (a: ParsedArgs) => (a.operands.length || p !== 'tee' ? `${p} ${WRITES}` : undefined) },
    ]),
  ),
  tar: {
    bareBundle: true,
    shortValues: 'fCIFgHKLNTVXb',
    longValues: [
      '--file',
      '--directory',
      '--use-compress-program',
      '--info-script',
      '--new-volume-script',
      '--to-command',
      '--checkpoint-action',
      '--rmt-command',
      '--rsh-command',
      '--transform',
      '--xform',
      '--listed-incremental',
      '--index-file',
      '--volno-file',
      '--files-from',
      '--exclude-from',
      '--owner',
      '--group',
      '--mode',
      '--format',
      '--newer',
      '--after-date',
      '--blocking-factor',
    ],
    longs: [
      '--absolute-names',
      '--acls',
      '--add-file',
      '--anchored',
      '--atime-preserve',
      '--auto-compress',
      '--backup',
      '--block-number',
      '--bzip2',
      '--check-device',
      '--check-links',
      '--checkpoint',
      '--clamp-mtime',
      '--compare',
      '--compress',
      '--confirmation',
      '--delay-directory-restore',
      '--dereference',
      '--diff',
      '--exclude',
      '--exclude-backups',
      '--exclude-caches',
      '--exclude-caches-all',
      '--exclude-caches-under',
      '--exclude-ignore',
      '--exclude-ignore-recursive',
      '--exclude-tag',
      '--exclude-tag-all',
      '--exclude-tag-under',
      '--exclude-vcs',
      '--exclude-vcs-ignores',
      '--force-local',
      '--full-time',
      '--group-map',
      '--gunzip',
      '--gzip',
      '--hard-dereference',
      '--help',
      '--hole-detection',
      '--ignore-case',
      '--ignore-command-error',
      '--ignore-failed-read',
      '--ignore-zeros',
      '--incremental',
      '--interactive',
      '--keep-directory-symlink',
      '--keep-newer-files',
      '--keep-old-files',
      '--label',
      '--level',
      '--list',
      '--lzip',
      '--lzma',
      '--lzop',
      '--mtime',
      '--multi-volume',
      '--newer-mtime',
      '--no-acls',
      '--no-anchored',
      '--no-auto-compress',
      '--no-check-device',
      '--no-delay-directory-restore',
      '--no-ignore-case',
      '--no-ignore-command-error',
      '--no-null',
      '--no-overwrite-dir',
      '--no-quote-chars',
      '--no-recursion',
      '--no-same-owner',
      '--no-same-permissions',
      '--no-seek',
      '--no-selinux',
      '--no-unquote',
      '--no-verbatim-files-from',
      '--no-wildcards',
      '--no-wildcards-match-slash',
      '--no-xattrs',
      '--null',
      '--numeric-owner',
      '--occurrence',
      '--old-archive',
      '--one-file-system',
      '--one-top-level',
      '--overwrite-dir',
      '--owner-map',
      '--pax-option',
      '--portability',
      '--posix',
      '--preserve-order',
      '--preserve-permissions',
      '--quote-chars',
      '--quoting-style',
      '--read-full-records',
      '--record-size',
      '--recursion',
      '--restrict',
      '--same-order',
      '--same-owner',
      '--same-permissions',
      '--seek',
      '--selinux',
      '--show-defaults',
      '--show-omitted-dirs',
      '--show-snapshot-field-ranges',
      '--show-stored-names',
      '--show-transformed-names',
      '--skip-old-files',
      '--sort',
      '--sparse',
      '--sparse-version',
      '--starting-file',
      '--strip-components',
      '--suffix',
      '--tape-length',
      '--test-label',
      '--to-stdout',
      '--totals',
      '--touch',
      '--uncompress',
      '--ungzip',
      '--unquote',
      '--usage',
      '--utc',
      '--verbatim-files-from',
      '--verbose',
      '--verify',
      '--version',
      '--warning',
      '--wildcards',
      '--wildcards-match-slash',
      '--xattrs',
      '--xattrs-exclude',
      '--xattrs-include',
      '--xz',
      '--zstd',
    ],
    danger: {
      '-x': 'tar -x extracts (writes) files',
      '--extract': 'tar extracts (writes) files',
      '--get': 'tar extracts (writes) files',
      '-c': 'tar -c writes an archive',
      '--create': 'tar writes an archive',
      '-r': 'tar writes an archive',
      '--append': 'tar writes an archive',
      '-u': 'tar writes an archive',
      '--update': 'tar writes an archive',
      '-A': 'tar writes an archive',
      '--catenate': 'tar writes an archive',
      '--concatenate': 'tar writes an archive',
      '--delete': 'tar writes an archive',
      '--to-command': 'tar runs a command per file',
      '--checkpoint-action': 'tar runs checkpoint actions',
      '--use-compress-program': 'tar runs a compression program',
      '-I': 'tar runs a compression program',
      '-F': 'tar runs a volume script',
      '--info-script': 'tar runs a volume script',
      '--new-volume-script': 'tar runs a volume script',
      '--rmt-command': 'tar runs a remote tape program',
      '--rsh-command': 'tar runs a remote shell',
      '--transform': 'tar renames members on the way (into any path)',
      '--xform': 'tar renames members on the way (into any path)',
      '-C': 'tar changes directory before writing',
      '--directory': 'tar changes directory before writing',
      '-P': 'tar keeps absolute member names',
      '--absolute-names': 'tar keeps absolute member names',
      '--overwrite': 'tar overwrites files',
      '--unlink-first': 'tar removes files',
      '--recursive-unlink': 'tar removes files',
      '--remove-files': 'tar removes files',
      '-g': 'tar writes a snapshot file',
      '--listed-incremental': 'tar writes a snapshot file',
      '--index-file': 'tar writes an index file',
      '--volno-file': 'tar writes a volume file',
    },
    env: /^(TAR_OPTIONS|TAPE|RSH)$/,
  },
  sed: SED,
  gsed: SED,
  awk: AWK,
  gawk: AWK,
  mawk: AWK,
  nawk: AWK,
  busybox: { always: `busybox ${RUNS_ANOTHER}` },
  find: {
    check: (a) =>
      a.raw.some((w) => FIND_DANGER.test(w)) ? 'find runs a command per file, writes or deletes files' : undefined,
  },
  sort: {
    shortValues: 'koStT',
    longValues: [
      '--key',
      '--output',
      '--buffer-size',
      '--field-separator',
      '--temporary-directory',
      '--compress-program',
      '--files0-from',
      '--random-source',
      '--batch-size',
      '--parallel',
      '--sort',
    ],
    longs: [
      '--check',
      '--debug',
      '--dictionary-order',
      '--general-numeric-sort',
      '--help',
      '--human-numeric-sort',
      '--ignore-case',
      '--ignore-leading-blanks',
      '--ignore-nonprinting',
      '--merge',
      '--month-sort',
      '--numeric-sort',
      '--random-sort',
      '--reverse',
      '--stable',
      '--unique',
      '--version',
      '--version-sort',
      '--zero-terminated',
    ],
    danger: {
      '-o': 'sort -o writes a file',
      '--output': 'sort --output writes a file',
      '--compress-program': 'sort runs a compression program',
      '-T': 'sort writes temporary files into a directory',
      '--temporary-directory': 'sort writes temporary files into a directory',
      '--files0-from': 'sort reads file names the judge cannot see',
    },
  },
  diff: {
    longValues: ['--output', '--to-file', '--from-file', '--ifdef', '--label', '--exclude-from'],
    shortValues: 'DLxXIFS',
    danger: { '--output': 'diff writes a file' },
  },
  sdiff: {
    shortValues: 'ow',
    longValues: ['--output', '--diff-program'],
    danger: {
      '-o': 'sdiff writes a file',
      '--output': 'sdiff writes a file',
      '--diff-program': 'sdiff runs a program',
    },
  },
  diff3: { longValues: ['--diff-program'], danger: { '--diff-program': 'diff3 runs a program' } },
  less: LESS,
  more: LESS,
  most: LESS,
  man: {
    shortValues: 'PHpCMmSelLrER',
    longValues: [
      '--pager',
      '--html',
      '--preprocessor',
      '--config-file',
      '--manpath',
      '--prompt',
      '--sections',
      '--locale',
      '--encoding',
    ],
    danger: {
      '-P': 'man runs a pager program',
      '--pager': 'man runs a pager program',
      '-H': 'man runs a browser',
      '--html': 'man runs a browser',
      '-C': 'man reads a configuration file',
      '--config-file': 'man reads a configuration file',
    },
    env: /^(MANPAGER|PAGER|BROWSER|MANROFFOPT|MANOPT|MANPATH|GROFF_.*|LESSOPEN|LESSCLOSE)$/,
  },
  git: { env: /^(HOME|XDG_[A-Z_]+|GIT_[A-Z_]+|EDITOR|VISUAL|PAGER|SSH_ASKPASS|PREFIX)$/ },
  zip: {
    shortValues: 'TbnxitP',
    longValues: ['--unzip-command', '--temp-path', '--password'],
    danger: { '-TT': 'zip runs an unzip command', '--unzip-command': 'zip runs an unzip command' },
  },
  unzip: {
    check: (a) => (a.options.some((o) => /^-[lvtpZ]$/.test(o.name)) ? undefined : 'unzip extracts (writes) files'),
  },
  dd: { check: (a) => (a.operands.some((o) => o.startsWith('of=')) ? 'dd of= writes a file' : undefined) },
  split: {
    longValues: [
      '--filter',
      '--bytes',
      '--lines',
      '--line-bytes',
      '--number',
      '--suffix-length',
      '--additional-suffix',
      '--separator',
    ],
    shortValues: 'abClnt',
    danger: { '--filter': 'split runs a command per piece' },
    check: () => 'split writes files',
  },
  curl: {
    shortValues: 'ocDKdFHuxeEAbrTXwzyYmC',
    longValues: [
      '--output',
      '--cookie-jar',
      '--dump-header',
      '--config',
      '--trace',
      '--trace-ascii',
      '--libcurl',
      '--stderr',
      '--etag-save',
      '--hsts',
      '--alt-svc',
      '--output-dir',
      '--netrc-file',
    ],
    danger: {
      '-o': 'curl writes a file',
      '--output': 'curl writes a file',
      '-O': 'curl writes a file',
      '--remote-name': 'curl writes a file',
      '--remote-name-all': 'curl writes files',
      '--output-dir': 'curl writes files',
      '-c': 'curl writes a cookie file',
      '--cookie-jar': 'curl writes a cookie file',
      '-D': 'curl writes a header file',
      '--dump-header': 'curl writes a header file',
      '--trace': 'curl writes a trace file',
      '--trace-ascii': 'curl writes a trace file',
      '--libcurl': 'curl writes a source file',
      '--stderr': 'curl writes a file',
      '--etag-save': 'curl writes a file',
      '--hsts': 'curl writes a file',
      '--alt-svc': 'curl writes a file',
    },
  },
  wget: {
    shortValues: 'eOoaPi',
    longValues: [
      '--execute',
      '--use-askpass',
      '--output-document',
      '--output-file',
      '--append-output',
      '--directory-prefix',
      '--input-file',
    ],
    danger: {
      '-e': 'wget runs wgetrc commands',
      '--execute': 'wget runs wgetrc commands',
      '--use-askpass': 'wget runs a program',
      '-O': 'wget writes a file',
      '--output-document': 'wget writes a file',
      '-o': 'wget writes a log file',
      '--output-file': 'wget writes a log file',
      '-a': 'wget writes a log file',
      '--append-output': 'wget writes a log file',
      '-P': 'wget writes into a directory',
      '--directory-prefix': 'wget writes into a directory',
    },
  },
  rg: { longValues: ['--pre', '--pre-glob'], danger: { '--pre': 'rg runs a preprocessor per file' } },
  fd: {
    shortValues: 'xX',
    longValues: ['--exec', '--exec-batch'],
    danger: {
      '-x': 'fd runs a command per file',
      '-X': 'fd runs a command',
      '--exec': 'fd runs a command per file',
      '--exec-batch': 'fd runs a command',
    },
  },
  gzip: COMPRESSOR,
  gunzip: COMPRESSOR,
  bzip2: COMPRESSOR,
  bunzip2: COMPRESSOR,
  xz: COMPRESSOR,
  unxz: COMPRESSOR,
  zstd: COMPRESSOR,
  npm: {
    check: (a) =>
      a.operands.some((w) =>
        [
          'run',
          'run-script',
          'exec',
          'x',
          'test',
          't',
          'start',
          'stop',
          'restart',
          'install',
          'i',
          'ci',
          'add',
          'rebuild',
          'dlx',
          'create',
          'init',
          'explore',
          'edit',
          'pack',
          'publish',
          'link',
        ].includes(w),
      )
        ? 'npm runs package scripts'
        : undefined,
  },
  nc: {
    check: (a) =>
      a.options.some((o) => /^(-e|-c|--exec|--sh-exec|--lua-exec)$/.test(o.name))
        ? 'nc -e runs a program for the connection'
        : undefined,
    shortValues: 'ecpsw',
    longValues: ['--exec', '--sh-exec', '--lua-exec'],
  },
  socat: {
    check: (a) =>
      a.operands.some((o) => /(^|[,!])(EXEC|SYSTEM|OPEN|CREATE|GOPEN)[:,]/i.test(o))
        ? 'socat runs a program or opens files'
        : undefined,
  },
};
for (const p of ['pnpm', 'yarn']) PROGRAMS[p] = PROGRAMS.npm!;
for (const p of ['ncat', 'netcat']) PROGRAMS[p] = PROGRAMS.nc!;

type OptionGrammar = Pick<ProgramEntry, 'shortValues' | 'longValues' | 'danger' | 'longs' | 'bareBundle' | 'wLongs'>;

/** Arguments being read: the one at `i`, and the options read so far. */
interface ArgReader {
  args: string[];
  i: number;
  entry: OptionGrammar;
  options: ParsedArgs['options'];
}

/** A long option written `--name[=value]`; its value may be the next argument. */
function readLong(r: ArgReader, a: string): void {
  const eq = a.indexOf('=');
  const name = longName(eq < 0 ? a : a.slice(0, eq), r.entry);
  if (eq >= 0) r.options.push({ name, value: a.slice(eq + 1) });
  else if ((r.entry.longValues ?? []).includes(name) && r.i + 1 < r.args.length)
    r.options.push({ name, value: r.args[++r.i]! });
  else r.options.push({ name });
}

/** `-abc` as `-a -b -c`, up to a letter that takes a value (the rest of the word or the next argument). */
function readShorts(r: ArgReader, a: string): void {
  if ((r.entry.danger ?? {})[a] !== undefined && a.length > 2) {
    // A whole-word option such as zip's -TT.
    r.options.push({ name: a });
    return;
  }
  for (let j = 1; j < a.length; j++) {
    const name = `-${a[j]}`;
    if (!(r.entry.shortValues ?? '').includes(a[j]!)) {
      r.options.push({ name });
      continue;
    }
    const rest = a.slice(j + 1);
    if (a[j] !== 'W' || !r.entry.wLongs) r.options.push({ name, value: rest || r.args[++r.i] });
    else readW(r, rest || r.args[++r.i]);
    return;
  }
}

/** `-W name=value` as `--name=value`. */
function readW(r: ArgReader, value: string | undefined): void {
  if (value !== undefined) readLong(r, `--${value}`);
}

/**
 * Read arguments the way getopt_long does: `-abc` bundles, `-ofile`, `--opt=value`, `--opt value`,
 * `--` ends options, and a long option written as any prefix of a known one (see longName).
 */
export function parseArgs(args: string[], entry: OptionGrammar): ParsedArgs {
  const r: ArgReader = { args, i: 0, entry, options: [] };
  const operands: string[] = [];
  for (; r.i < args.length; r.i++) {
    let a = args[r.i]!;
    if (r.i === 0 && entry.bareBundle && /^[A-Za-z]+$/.test(a)) a = `-${a}`;
    if (a === '--') {
      operands.push(...args.slice(r.i + 1));
      break;
    }
    if (a.startsWith('--')) readLong(r, a);
    else if (a.startsWith('-') && a.length > 1) readShorts(r, a);
    else operands.push(a);
  }
  return { raw: args, options: r.options, operands };
}

/**
 * The long option a written one stands for. getopt_long (and git) take any unique prefix, however short,
 * and refuse an ambiguous one: an exact name is itself; a prefix of a dangerous option is taken as it
 * (unique, it is that option; ambiguous, the program refuses, and asking is safe); else the first known
 * option it starts.
 */
function longName(written: string, entry: Pick<ProgramEntry, 'longValues' | 'danger' | 'longs'>): string {
  const dangerous = Object.keys(entry.danger ?? {}).filter((k) => k.startsWith('--'));
  const known = [...dangerous, ...(entry.longValues ?? []), ...(entry.longs ?? [])];
  if (known.includes(written) || written.length < 3) return written;
  return dangerous.find((l) => l.startsWith(written)) ?? known.find((l) => l.startsWith(written)) ?? written;
}

function entryFor(program: string): ProgramEntry | undefined {
  return PROGRAMS[program] ?? PROGRAMS[program.replace(/[0-9.]+$/, '')];
}

/**
 * Why this use of a program runs code or writes files (an option, an operand, its environment), or
 * undefined when the table knows nothing dangerous about it. `env` is every variable the command assigns.
 */
export function codeOrWrites(program: string, args: string[], env: string[] = []): string | undefined {
  if (program === 'git') return gitRuns(args, env);
  const entry = entryFor(program);
  if (!entry) return undefined;
  if (entry.always) return entry.always;
  const envHit = entry.env && env.find((v) => entry.env!.test(v));
  if (envHit) return `${program} obeys ${envHit}, which the command sets`;
  const parsed = parseArgs(args, entry);
  for (const o of parsed.options) {
    const why = entry.danger?.[o.name];
    if (why) return `${why} (${o.name})`;
  }
  return entry.check?.(parsed);
}

/** git: its global options, the environment it reads configuration from, the subcommand and that subcommand's options. */
function gitRuns(args: string[], env: string[]): string | undefined {
  const envHit = env.find((v) => PROGRAMS.git!.env!.test(v));
  if (envHit) return `git reads configuration that can run programs through ${envHit}, which the command sets`;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    const name = a.startsWith('--') ? a.split('=')[0]! : a.slice(0, 2);
    if (!a.startsWith('-')) break;
    if (
      GIT_GLOBAL_DANGER.has(name) ||
      [...GIT_GLOBAL_DANGER].some((d) => d.startsWith('--') && name.length >= 3 && d.startsWith(name))
    )
      return `git ${name} changes which repository, configuration or programs git uses`;
    if (GIT_GLOBAL_VALUES.includes(a)) i++;
  }
  const sub = args[i];
  if (sub === undefined) return undefined;
  if (GIT_RUNS.has(sub)) return `git ${sub} can run programs or write files from outside data`;
  if (GIT_WRITES.has(sub)) return `git ${sub} writes the work tree or the repository`;
  if (!GIT_READS.has(sub)) return `git ${sub} may be an alias or an external git-${sub} program`;
  const parsed = parseArgs(args.slice(i + 1), GIT_SUB);
  for (const o of parsed.options) {
    const why = GIT_SUB.danger![o.name];
    if (why) return `git ${sub} ${o.name}: ${why}`;
  }
  return GIT_SUB_USES[sub]?.(parsed);
}

const UNREADABLE_SED = 'sed script the judge cannot read';

/** A sed script being read, at `i`. */
class SedReader {
  i = 0;
  constructor(readonly script: string) {}

  /** Past the next unescaped `d`; false when the script (or, for any other `d`, the line) ends first. */
  skipDelimited(d: string): boolean {
    const { script } = this;
    for (; this.i < script.length; this.i++) {
      if (script[this.i] === '\\') this.i++;
      else if (script[this.i] === d) {
        this.i++;
        return true;
      }
      if (script[this.i] === '\n' && d !== '\n') return false;
    }
    return false;
  }

  /** A line number, `first~step`, `$`, or `/re/` (`\cREc`) with its I and M flags. */
  address(): boolean {
    const { script } = this;
    if (script[this.i] === '$') this.i++;
    else if (/[0-9]/.test(script[this.i] ?? '')) while (/[0-9~]/.test(script[this.i] ?? '')) this.i++;
    else if (script[this.i] === '/' || script[this.i] === '\\') {
      const d = script[this.i] === '\\' ? script[this.i + 1]! : '/';
      this.i += script[this.i] === '\\' ? 2 : 1;
      if (!this.skipDelimited(d)) return false;
      while (/[IM]/.test(script[this.i] ?? '')) this.i++;
    }
    return true;
  }

  /** An address, or a range `a,b` (`a,+N`, `a,~N`). */
  range(): boolean {
    if (!this.address()) return false;
    if (this.script[this.i] !== ',') return true;
    this.i++;
    if (this.script[this.i] === '+' || this.script[this.i] === '~') this.i++;
    return this.address();
  }

  /** The command `ch` (already read) and its arguments: why it is not plain, or undefined. */
  command(ch: string): string | undefined {
    if ('pdDnNqQ=lgGhHxzPF'.includes(ch)) {
      while (/[0-9]/.test(this.script[this.i] ?? '')) this.i++;
      return undefined;
    }
    if (ch === 's' || ch === 'y') return this.substitution(ch);
    if (!'aic:btT#'.includes(ch)) return `sed command ${ch} may read or write a file or run a command`;
    // Text (a, i, c), comments and labels run to the end of the line; a branch (b, t, T) also ends at `;`.
    const end = 'btT'.includes(ch) ? /[\n;]/ : /\n/;
    while (this.i < this.script.length && !end.test(this.script[this.i]!)) this.i++;
    return undefined;
  }

  /** `s/re/text/flags` or `y/abc/xyz/` after its letter: only flags that neither write nor run are plain. */
  substitution(ch: string): string | undefined {
    const { script } = this;
    const d = script[this.i++];
    if (d === undefined || d === '\n' || d === '\\') return UNREADABLE_SED;
    if (!this.skipDelimited(d) || !this.skipDelimited(d)) return UNREADABLE_SED;
    if (ch === 'y') return undefined;
    const flags = /^[gpiImM0-9]*/.exec(script.slice(this.i))![0];
    this.i += flags.length;
    if (/^[ \t]*(?:[;\n}#]|$)/.test(script.slice(this.i, this.i + 64)) || this.i >= script.length) return undefined;
    return `sed s/// with flag '${script.slice(this.i).trim()[0] ?? ''}' may write a file or run a command`;
  }
}

/**
 * Whether a sed script only substitutes, prints and deletes. It reads the script command by command
 * (addresses, blocks, `s` with its flags, `y`, labels, text), so a `;` inside a regex is not a separator;
 * `e`, `w`, `W`, `r`, `R`, `s///e`, `s///w` and anything it cannot read are not plain.
 */
export function sedScriptRuns(script: string): string | undefined {
  const r = new SedReader(script);
  while (r.i < script.length) {
    const ch = script[r.i]!;
    if (/[\s;{}!]/.test(ch)) r.i++;
    else if (/[0-9$/\\]/.test(ch)) {
      if (!r.range()) return UNREADABLE_SED;
    } else {
      r.i++;
      const why = r.command(ch);
      if (why !== undefined) return why;
    }
  }
  return undefined;
}
