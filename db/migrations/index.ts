// Migrations are listed in code so they run the same under tsx, bundlers and compiled builds.
import type { Knex } from 'knex';
import * as m001 from './001_init.js';
import * as m002 from './002_chats.js';
import * as m003 from './003_evals.js';
import * as m004 from './004_idempotency.js';
import * as m005 from './005_apps.js';
import * as m006 from './006_forks.js';
import * as m007 from './007_trace_ids.js';
import * as m008 from './008_mcp_exposures.js';
import * as m009 from './009_run_search.js';
import * as m010 from './010_eval_examples.js';
import * as m011 from './011_payload_artifacts.js';
import * as m012 from './012_stored_values.js';
import * as m013 from './013_labels.js';
import * as m015 from './015_archive.js';
import * as m016 from './016_overview.js';
import * as m017 from './017_feedback.js';
import * as m018 from './018_trends.js';
import * as m019 from './019_run_id_width.js';
import * as m020 from './020_run_starts.js';
import * as m021 from './021_overview_rollups.js';
import * as m022 from './022_overview_marks_by_target.js';
import * as m023 from './023_overview_runs_daily.js';
import * as m024 from './024_eval_repeats.js';
import * as m025 from './025_example_metadata.js';
import * as m026 from './026_version_provenance.js';
import * as m027 from './027_mcp_tasks.js';

const migrations: Record<string, Knex.Migration> = {
  '001_init': m001,
  '002_chats': m002,
  '003_evals': m003,
  '004_idempotency': m004,
  '005_apps': m005,
  '006_forks': m006,
  '007_trace_ids': m007,
  '008_mcp_exposures': m008,
  '009_run_search': m009,
  '010_eval_examples': m010,
  '011_payload_artifacts': m011,
  '012_stored_values': m012,
  '013_labels': m013,
  '015_archive': m015,
  '016_overview': m016,
  '017_feedback': m017,
  '018_trends': m018,
  '019_run_id_width': m019,
  '020_run_starts': m020,
  '021_overview_rollups': m021,
  '022_overview_marks_by_target': m022,
  '023_overview_runs_daily': m023,
  '024_eval_repeats': m024,
  '025_example_metadata': m025,
  '026_version_provenance': m026,
  '027_mcp_tasks': m027,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
