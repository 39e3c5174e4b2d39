// The dashboard's pages, as the side bar and the command palette list them.
export interface NavPage {
  to: string;
  icon: string;
  title: string;
}

export const NAV_PAGES: NavPage[] = [
  { to: '/', icon: 'mdi-view-dashboard-outline', title: 'Overview' },
  { to: '/runs', icon: 'mdi-timeline-text-outline', title: 'Runs' },
  { to: '/components', icon: 'mdi-puzzle-outline', title: 'Components' },
  { to: '/pipelines', icon: 'mdi-graph-outline', title: 'Pipelines' },
  { to: '/apps', icon: 'mdi-application-outline', title: 'Apps' },
  { to: '/datasets', icon: 'mdi-table-large', title: 'Datasets' },
  { to: '/evals', icon: 'mdi-chart-box-outline', title: 'Evals' },
  { to: '/chat', icon: 'mdi-chat-outline', title: 'Chat' },
  { to: '/agents', icon: 'mdi-robot-outline', title: 'Agents' },
  { to: '/providers', icon: 'mdi-server-network', title: 'Providers' },
  { to: '/policy', icon: 'mdi-shield-check-outline', title: 'Policy' },
];

/** Each kind of thing the command palette finds, with its page's icon. */
export const KIND_ICONS: Record<string, string> = {
  run: 'mdi-timeline-text-outline',
  component: 'mdi-puzzle-outline',
  pipeline: 'mdi-graph-outline',
  app: 'mdi-application-outline',
  eval: 'mdi-chart-box-outline',
  dataset: 'mdi-table-large',
};
