// SQL read by a parser of the connection's own dialect (ADR 0011): PostgreSQL's server grammar
// (libpg-query, the parser compiled from PostgreSQL) and a full SQLite grammar (sql-parser-cst).
// Each statement is classed read | write | ddl from its syntax tree; side-effecting functions
// (server files, large objects, settings, remote links, extensions) make a statement a write.
import { parse as parsePg } from 'libpg-query';
import { parse as parseCst } from 'sql-parser-cst';
import type { SqlDialect, SqlFacts, SqlKind, SqlStatement } from '../core/policy.js';

const PG_SIDE_EFFECTS = new Set([
  'set_config',
  'nextval',
  'setval',
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_switch_wal',
  'pg_promote',
  'pg_start_backup',
  'pg_stop_backup',
  'pg_backup_start',
  'pg_backup_stop',
  'pg_logical_emit_message',
  'pg_notify',
  'txid_current',
  'pg_current_xact_id',
  'pg_import_system_collations',
  'pg_log_backend_memory_contexts',
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'cursor_to_xml',
  'cursor_to_xmlschema',
  'pg_sleep',
  'pg_sleep_for',
  'pg_sleep_until',
  'pg_stat_file',
  'pg_current_logfile',
  'pg_write_file',
  'copy_file',
  'pg_catalog.set_config',
]);
const PG_SIDE_EFFECT_PREFIXES = [
  'pg_read_',
  'pg_ls_',
  'pg_file_',
  'lo_',
  'lowrite',
  'loread',
  'dblink',
  'pg_advisory',
  'pg_try_advisory',
  'pg_stat_reset',
  'pg_create_',
  'pg_drop_',
  'pg_replication_',
  'pg_copy_',
  'binary_upgrade_',
  'postgres_fdw',
  'pg_wal_replay',
];
const PG_WRITES = new Set([
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'CopyStmt',
  'CallStmt',
  'DoStmt',
  'VariableSetStmt',
  'TransactionStmt',
  'LockStmt',
  'ListenStmt',
  'NotifyStmt',
  'UnlistenStmt',
  'PrepareStmt',
  'ExecuteStmt',
  'DeallocateStmt',
  'DiscardStmt',
  'CheckPointStmt',
  'DeclareCursorStmt',
  'FetchStmt',
  'ClosePortalStmt',
  'RefreshMatViewStmt',
  'ReindexStmt',
  'VacuumStmt',
  'ClusterStmt',
  'SecLabelStmt',
  'CommentStmt',
  'LoadStmt',
  'AlterSystemStmt',
  'ConstraintsSetStmt',
]);

const SQLITE_SIDE_EFFECTS = new Set([
  'load_extension',
  'readfile',
  'writefile',
  'edit',
  'fts3_tokenizer',
  'zipfile',
  'sqlar_compress',
  'sqlar_uncompress',
  'lsdir',
  'fsdir',
  'shell',
  'system',
]);
/** PRAGMAs that only report; any other PRAGMA, or any assignment, may change the database or the connection. */
const SQLITE_READ_PRAGMAS = new Set([
  'table_info',
  'table_xinfo',
  'table_list',
  'index_list',
  'index_info',
  'index_xinfo',
  'foreign_key_list',
  'foreign_key_check',
  'integrity_check',
  'quick_check',
  'database_list',
  'collation_list',
  'function_list',
  'module_list',
  'pragma_list',
  'compile_options',
  'page_count',
  'page_size',
  'freelist_count',
  'schema_version',
  'user_version',
  'data_version',
  'encoding',
  'journal_mode',
  'foreign_keys',
  'application_id',
]);

/** SQLite functions that open files or load code: what the engine refuses anyway, denied before it is tried. */
const SQLITE_OUTSIDE = new Set([
  'load_extension',
  'readfile',
  'writefile',
  'edit',
  'zipfile',
  'sqlar_compress',
  'sqlar_uncompress',
  'lsdir',
  'fsdir',
  'shell',
  'system',
]);
const PG_OUTSIDE_PREFIXES = [
  'pg_read_',
  'pg_ls_',
  'pg_file_',
  'pg_write_file',
  'lo_import',
  'lo_export',
  'dblink',
  'copy_file',
  'pg_stat_file',
];

const STRICTNESS: Record<SqlKind, number> = { read: 0, write: 1, ddl: 2 };
const stricter = (a: SqlKind, b: SqlKind): SqlKind => (STRICTNESS[b] > STRICTNESS[a] ? b : a);

/** Every object node of a syntax tree, depth first. */
function* nodes(tree: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(tree)) for (const item of tree) yield* nodes(item);
  else if (tree && typeof tree === 'object') {
    yield tree as Record<string, unknown>;
    for (const value of Object.values(tree)) yield* nodes(value);
  }
}

function pgFunctionName(call: Record<string, unknown>): string {
  const parts = (call.funcname as Array<{ String?: { sval?: string } }> | undefined) ?? [];
  return parts
    .map((p) => p.String?.sval ?? '')
    .join('.')
    .toLowerCase();
}

/**
 * Built-in functions known only to compute (aggregates, operators on values, formatting, JSON, arrays,
 * dates). Any other function (an admin function such as pg_stat_statements_reset, a user-defined
 * one whose body may write, an extension's) makes the statement a write: a READ ONLY transaction
 * does not stop a function that resets statistics, signals a backend or reaches another server.
 */
const PG_READ_FUNCTIONS = new Set(
  (
    'count sum avg min max bool_and bool_or every array_agg string_agg json_agg jsonb_agg json_object_agg jsonb_object_agg stddev stddev_pop stddev_samp variance var_pop var_samp ' +
    'percentile_cont percentile_disc mode rank dense_rank row_number percent_rank cume_dist ntile lag lead first_value last_value nth_value corr covar_pop covar_samp regr_slope regr_intercept ' +
    'coalesce nullif greatest least abs ceil ceiling floor round trunc sign sqrt cbrt power pow exp ln log log10 mod div pi degrees radians sin cos tan asin acos atan atan2 width_bucket random ' +
    'length char_length character_length octet_length bit_length lower upper initcap substr substring left right lpad rpad ltrim rtrim btrim trim replace translate repeat reverse concat concat_ws format ' +
    'position strpos split_part starts_with regexp_replace regexp_match regexp_matches regexp_split_to_array regexp_split_to_table regexp_like regexp_count regexp_substr regexp_instr ' +
    'md5 sha224 sha256 sha384 sha512 encode decode ascii chr quote_ident quote_literal quote_nullable to_hex overlay string_to_array array_to_string string_to_table ' +
    'now current_date current_time current_timestamp localtime localtimestamp statement_timestamp transaction_timestamp clock_timestamp timeofday date_trunc date_part extract date_bin age ' +
    'make_date make_time make_timestamp make_timestamptz make_interval justify_days justify_hours justify_interval isfinite to_char to_date to_number to_timestamp ' +
    'generate_series generate_subscripts unnest array_length array_lower array_upper array_ndims array_dims array_position array_positions array_append array_prepend array_cat array_remove array_replace cardinality array_fill ' +
    'json_build_object jsonb_build_object json_build_array jsonb_build_array to_json to_jsonb row_to_json array_to_json json_array_length jsonb_array_length json_each jsonb_each json_each_text jsonb_each_text ' +
    'json_extract_path jsonb_extract_path json_extract_path_text jsonb_extract_path_text json_object_keys jsonb_object_keys json_array_elements jsonb_array_elements json_array_elements_text jsonb_array_elements_text ' +
    'json_typeof jsonb_typeof jsonb_set jsonb_insert jsonb_strip_nulls json_strip_nulls jsonb_pretty jsonb_path_query jsonb_path_query_array jsonb_path_query_first jsonb_path_exists jsonb_path_match json_populate_record jsonb_populate_record jsonb_to_record json_to_record ' +
    'gen_random_uuid uuid_generate_v4 to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd ts_headline ' +
    'version current_user session_user current_schema current_schemas current_database current_catalog user pg_typeof format_type col_description obj_description pg_get_viewdef pg_get_indexdef ' +
    'pg_get_constraintdef pg_get_functiondef pg_get_expr pg_table_is_visible has_table_privilege has_schema_privilege has_column_privilege has_database_privilege ' +
    'pg_relation_size pg_total_relation_size pg_table_size pg_indexes_size pg_database_size pg_size_pretty pg_column_size bool int4 int8 numeric text'
  ).split(' '),
);

function pgSideEffect(tree: unknown): string | undefined {
  for (const n of nodes(tree)) {
    const call = n.FuncCall as Record<string, unknown> | undefined;
    if (!call) continue;
    const full = pgFunctionName(call);
    const name = full.slice(full.lastIndexOf('.') + 1);
    if (
      PG_SIDE_EFFECTS.has(name) ||
      PG_SIDE_EFFECTS.has(full) ||
      PG_SIDE_EFFECT_PREFIXES.some((p) => name.startsWith(p))
    )
      return `${name}() has side effects`;
    const schema = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : 'pg_catalog';
    if (schema !== 'pg_catalog' || !PG_READ_FUNCTIONS.has(name))
      return `${full}() is not a function known only to read`;
  }
  return undefined;
}

/** The kind of one PostgreSQL statement node (`{SelectStmt: …}`). */
function pgKind(stmt: Record<string, unknown>): { type: string; kind: SqlKind; why?: string } {
  const type = Object.keys(stmt)[0] ?? 'unknown';
  const body = stmt[type] as Record<string, unknown>;
  const modifies = [...nodes(body)].some((n) =>
    ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'].some((k) => k in n),
  );
  let kind: SqlKind;
  let why: string | undefined;
  switch (type) {
    case 'SelectStmt':
      if ([...nodes(stmt)].some((n) => 'intoClause' in n)) [kind, why] = ['ddl', 'SELECT INTO creates a table'];
      else if ([...nodes(stmt)].some((n) => 'lockingClause' in n))
        [kind, why] = ['write', 'SELECT … FOR UPDATE/SHARE takes row locks'];
      else if (modifies) [kind, why] = ['write', 'a data-modifying WITH clause'];
      else kind = 'read';
      break;
    case 'ExplainStmt': {
      const analyze = ((body.options as Array<{ DefElem?: { defname?: string } }> | undefined) ?? []).some(
        (o) => o.DefElem?.defname === 'analyze',
      );
      const inner = pgKind(body.query as Record<string, unknown>);
      [kind, why] = analyze
        ? [inner.kind, inner.kind === 'read' ? undefined : `EXPLAIN ANALYZE executes its ${inner.type}`]
        : ['read', undefined];
      break;
    }
    case 'VariableShowStmt':
      kind = 'read';
      break;
    default:
      kind = PG_WRITES.has(type) ? 'write' : 'ddl';
  }
  const effect = pgSideEffect(stmt);
  if (effect && kind === 'read') [kind, why] = ['write', effect];
  const outside = pgOutside(type, body);
  return { type, kind, ...(why ? { why } : {}), ...(outside ? { outside } : {}) };
}

/** What in a PostgreSQL statement reaches the server's files, programs or libraries, or another server. */
function pgOutside(type: string, body: Record<string, unknown>): string | undefined {
  if (type === 'CopyStmt' && body.filename !== undefined)
    return body.is_program
      ? 'COPY … PROGRAM runs a program on the server'
      : "COPY with a file name reads or writes the server's files";
  if (type === 'LoadStmt') return 'LOAD loads a library into the server';
  for (const n of nodes(body)) {
    const call = n.FuncCall as Record<string, unknown> | undefined;
    if (!call) continue;
    const full = pgFunctionName(call);
    const name = full.slice(full.lastIndexOf('.') + 1);
    if (PG_OUTSIDE_PREFIXES.some((p) => name.startsWith(p)))
      return `${name}() reaches the server's files or another server`;
  }
  return undefined;
}

async function readPostgres(sql: string): Promise<SqlStatement[]> {
  const tree = (await parsePg(sql)) as { stmts?: Array<{ stmt: Record<string, unknown> }> };
  return (tree.stmts ?? []).map((s) => pgKind(s.stmt));
}

function sqliteName(n: unknown): string {
  const node = n as { type?: string; name?: string; property?: unknown } | undefined;
  if (!node) return '';
  if (node.type === 'member_expr') return sqliteName(node.property);
  return (node.name ?? '').toLowerCase();
}

function readSqlite(sql: string): SqlStatement[] {
  const tree = parseCst(sql, { dialect: 'sqlite' });
  const out: SqlStatement[] = [];
  for (const stmt of tree.statements as unknown as Array<Record<string, unknown>>) {
    const type = String(stmt.type);
    if (type === 'empty') continue;
    let kind: SqlKind;
    let why: string | undefined;
    if (type === 'select_stmt' || type === 'compound_select_stmt' || type === 'explain_stmt') kind = 'read';
    else if (type === 'pragma_stmt') {
      const pragma = stmt.pragma as { type: string; name: unknown };
      const name = sqliteName(pragma.name);
      [kind, why] =
        pragma.type === 'pragma_assignment' || !SQLITE_READ_PRAGMAS.has(name)
          ? ['write', `PRAGMA ${name} may change the connection or the database`]
          : ['read', undefined];
    } else if (
      [
        'insert_stmt',
        'update_stmt',
        'delete_stmt',
        'start_transaction_stmt',
        'commit_transaction_stmt',
        'rollback_transaction_stmt',
        'savepoint_stmt',
        'release_savepoint_stmt',
        'analyze_stmt',
      ].includes(type)
    )
      kind = 'write';
    else kind = 'ddl';
    let outside: string | undefined;
    if (type === 'attach_database_stmt') outside = 'ATTACH opens another database file';
    else if (type === 'vacuum_stmt' && stmt.file) outside = 'VACUUM INTO writes another database file';
    for (const n of nodes(stmt)) {
      if (n.type !== 'func_call') continue;
      const name = sqliteName(n.name);
      if (SQLITE_SIDE_EFFECTS.has(name)) {
        kind = stricter(kind, 'write');
        why ??= `${name}() has side effects`;
      }
      if (SQLITE_OUTSIDE.has(name)) outside ??= `${name}() reaches files or loads code`;
    }
    out.push({ type, kind, ...(why ? { why } : {}), ...(outside ? { outside } : {}) });
  }
  return out;
}

export function sqlDialect(url: string): SqlDialect {
  return url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

/** Read a SQL text for the connection's dialect; a text that does not parse is reported, never guessed at. */
export async function readSql(sql: string, dialect: SqlDialect): Promise<SqlFacts> {
  try {
    const statements = dialect === 'sqlite' ? readSqlite(sql) : await readPostgres(sql);
    if (!statements.length) return { dialect, statements, unparsed: 'no statement to run' };
    return { dialect, statements };
  } catch (err) {
    return { dialect, statements: [], unparsed: (err as Error).message.split('\n')[0]! };
  }
}
