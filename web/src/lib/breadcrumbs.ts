// Where a page sits: its section, then the entity (and sub-page) the path names.

const SECTIONS: Record<string, string> = {
  runs: 'Runs',
  components: 'Components',
  pipelines: 'Pipelines',
  apps: 'Apps',
  datasets: 'Datasets',
  evals: 'Evals',
  experiments: 'Experiments',
  chat: 'Chat',
  agents: 'Agents',
  providers: 'Providers',
  policy: 'Policy',
};

export interface Crumb {
  title: string;
  to: string;
}

/** `/runs/run_x` -> Overview › Runs › run_x; every crumb but the last links to its page. */
export function breadcrumbs(path: string): Crumb[] {
  const parts = path.split('/').filter(Boolean);
  const crumbs: Crumb[] = [{ title: 'Overview', to: '/' }];
  let to = '';
  for (const [i, part] of parts.entries()) {
    to += `/${part}`;
    crumbs.push({ title: i === 0 ? (SECTIONS[part] ?? part) : decodeURIComponent(part), to });
  }
  return crumbs;
}
