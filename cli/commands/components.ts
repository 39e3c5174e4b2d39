// `harness component import-dspy <program.json>`, `harness component export-dspy <name@version>`, and archive|unarchive|delete.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { NUMBERED_REF, versionRef } from '../../core/run-story/ids.js';
import { parseVersionRef } from '../../core/versions.js';
import { api, CliError } from '../client.js';
import { readJsonInput } from '../input-file.js';

const readProgram = (file: string): unknown =>
  readJsonInput(file, 'a DSPy program is what program.save("x.json") writes');

export function componentCommands(program: Command): void {
  const component = program
    .command('component')
    .description('components: DSPy programs in and out, archive and delete');
  importDspyCommand(component);
  archiveCommands(component);
  deleteCommand(component);
  exportDspyCommand(component);
}

function importDspyCommand(component: Command): void {
  component
    .command('import-dspy <program>')
    .description('read a program saved by DSPy (program.save) into component versions')
    .option('-n, --name <name>', 'the component name (default: the file name)')
    .requiredOption('-p, --provider <name>', 'the provider the components call')
    .option(
      '-s, --signature <text>',
      'field names, sides and types, e.g. "question -> answer: int" (types default to str)',
    )
    .option('-m, --model <model>', "the model (default: the provider's)")
    .action(async (file: string, o: { name?: string; provider: string; signature?: string; model?: string }) => {
      const name =
        o.name ??
        path
          .basename(file, path.extname(file))
          .toLowerCase()
          .replace(/[^a-z0-9_-]+/g, '-');
      const body = {
        name,
        program: readProgram(file),
        provider: o.provider,
        ...(o.signature ? { signature: o.signature } : {}),
        ...(o.model ? { model: o.model } : {}),
      };
      const { components } = await api('POST', '/api/components/import/dspy', body);
      for (const c of components as Array<{ name: string; version: number; kind: string }>)
        console.log(`imported ${versionRef(c.name, c.version)} (${c.kind})`);
    });
}

function archiveCommands(component: Command): void {
  for (const [verb, help] of [
    ['archive', 'hide a component from the list (it still runs where a pipeline names it)'],
    ['unarchive', 'bring an archived component back into the list'],
  ] as const) {
    component
      .command(`${verb} <name>`)
      .description(help)
      .action(async (name: string) => {
        await api('POST', `/api/components/${encodeURIComponent(name)}/${verb}`);
        console.log(`${verb}d ${name}`);
      });
  }
}

function deleteCommand(component: Command): void {
  component
    .command('delete <ref>')
    .description(
      'delete a component and all its versions (name), or one version (name@version); refused while something uses it',
    )
    .action(async (ref: string) => {
      const r = parseVersionRef(ref);
      if (!r || r.label !== undefined) throw new CliError(`a component is name or name@version, got '${ref}'`);
      await api('DELETE', `/api/components/${r.name}${r.version !== undefined ? `/versions/${r.version}` : ''}`);
      console.log(`deleted ${ref}`);
    });
}

function exportDspyCommand(component: Command): void {
  component
    .command('export-dspy <ref>')
    .description('write a component version (name or name@version) as DSPy saves a program, for program.load()')
    .option('-o, --out <file>', 'write to this file instead of standard output')
    .action(async (ref: string, o: { out?: string }) => {
      const m = NUMBERED_REF.exec(ref);
      if (!m) throw new CliError(`a component is name or name@version, got '${ref}'`);
      const program = await api('GET', `/api/components/${m[1]}/dspy${m[2] ? `?version=${m[2]}` : ''}`);
      const text = `${JSON.stringify(program, null, 2)}\n`;
      if (o.out) {
        fs.writeFileSync(o.out, text);
        console.log(`wrote ${o.out}`);
      } else process.stdout.write(text);
    });
}
