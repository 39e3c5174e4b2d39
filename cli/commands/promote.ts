// `harness promote <kind> <name@version> <label>`: point a label at a version (recorded as a move from the CLI).
import type { Command } from 'commander';
import { LABEL, labelKinds, parseVersionRef, type LabelKind } from '../../core/versions.js';
import { api, CliError } from '../client.js';

export function promoteCommand(program: Command): void {
  program
    .command('promote <kind> <ref> <label>')
    .description(
      'point a label (production, staging, any name) at a version: kind is component, pipeline or app; ref is name@version',
    )
    .action(async (kind: string, ref: string, label: string) => {
      if (!labelKinds.includes(kind as LabelKind))
        throw new CliError(`a kind is component, pipeline or app, not '${kind}'`);
      const r = parseVersionRef(ref);
      if (r?.version === undefined)
        throw new CliError(`the version to promote is name@version, e.g. qa@3, not '${ref}'`);
      const name = LABEL.safeParse(label);
      if (!name.success) throw new CliError(`'${label}': ${name.error.issues.map((i) => i.message).join('; ')}`);
      const moved = await api<{ name: string; from: number | null; to: number; moved: boolean }>(
        'POST',
        `/api/${kind}s/${r.name}/labels/${label}`,
        { version: r.version, via: 'cli' },
      );
      console.log(
        moved.moved
          ? `${kind} ${moved.name}: ${label} -> v${moved.to} (was ${moved.from === null ? 'unset' : `v${moved.from}`})`
          : `${kind} ${moved.name}: ${label} already names v${moved.to}`,
      );
    });
}
