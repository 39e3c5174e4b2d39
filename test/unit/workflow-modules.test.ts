// What a workflow start evaluates: the reusable V8 context runs a workflow's modules afresh for each
// workflow, so the hot kinds must not reach zod, and the bundle's entry must load each kind on demand.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** The modules a file imports for their values (type-only imports and exports are erased). */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s) && !s.importClause?.isTypeOnly && ts.isStringLiteral(s.moduleSpecifier)) {
      const named = s.importClause?.namedBindings;
      const onlyTypes =
        !s.importClause?.name &&
        named &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      if (!onlyTypes) found.push(s.moduleSpecifier.text);
    }
    if (ts.isExportDeclaration(s) && !s.isTypeOnly && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier))
      found.push(s.moduleSpecifier.text);
  }
  return found;
}

/** Every module reachable by value imports from `entry`: project files by path, packages by name. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    const rel = path.relative(root, file);
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const spec of valueImports(file)) {
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts'));
      else seen.add(spec);
    }
  };
  visit(path.join(root, entry));
  return seen;
}

describe('workflow modules', () => {
  it('the entry imports no workflow module statically (each kind loads its own on start)', () => {
    expect(valueImports(path.join(root, 'workflows/index.ts'))).toEqual([]);
  });

  it.each(['workflows/pipeline.ts', 'workflows/component.ts', 'workflows/chat.ts'])(
    '%s does not reach zod',
    (entry) => {
      const modules = reachable(entry);
      expect(modules.has('@temporalio/workflow')).toBe(true);
      expect([...modules].filter((m) => m === 'zod' || m.startsWith('zod/'))).toEqual([]);
    },
  );

  it('reach no project file outside workflows/ and core/: the bundle cache key hashes those two (temporal/bundle.ts)', () => {
    const modules = fs
      .readdirSync(path.join(root, 'workflows'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'));
    const files = new Set(
      modules.flatMap((m) => [...reachable(path.join('workflows', m))]).filter((m) => m.endsWith('.ts')),
    );
    expect(files.size).toBeGreaterThan(modules.length); // core/ files are among them
    expect([...files].filter((f) => !f.startsWith('workflows/') && !f.startsWith('core/'))).toEqual([]);
  });

  it('the check can fail: the agent reaches zod through its policy schemas', () => {
    expect(reachable('workflows/agent.ts').has('zod')).toBe(true);
  });
});
