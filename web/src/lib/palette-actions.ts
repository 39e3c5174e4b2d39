// The command palette's actions: go to each page, switch the theme, start a chat, show the shortcuts, and on a
// component's or pipeline's page, fill in its inputs to run it.
import { nextTick } from 'vue';
import type { Router } from 'vue-router';
import { NAV_PAGES } from './nav';
import type { ThemeChoice } from './theme';

export interface PaletteItem {
  key: string;
  /** page, action, or what the search found: run, eval, component, pipeline, app, dataset. */
  kind: string;
  title: string;
  subtitle?: string;
  icon: string;
  /** Where it goes (a dashboard path), or what it does. */
  to?: string;
  act?: () => unknown;
}

interface Context {
  router: Router;
  path: string;
  theme: { dark: boolean; choice: ThemeChoice; choose(c: ThemeChoice): void; toggle(): void };
  showShortcuts(): void;
}

/** Focus the first field of the page's form, once the page has drawn. */
const focusField = async (selector: string) => {
  await nextTick();
  document.querySelector<HTMLElement>(selector)?.focus();
};

/** On /components/:name or /pipelines/:name: the action that puts the cursor in its run form. */
function runAction(path: string): PaletteItem[] {
  const page = /^\/(components|pipelines)\/([^/]+)$/.exec(path);
  if (!page) return [];
  const name = decodeURIComponent(page[2]!);
  return [
    {
      key: 'run-target',
      kind: 'action',
      title: page[1] === 'pipelines' ? `Run ${name}` : `Try ${name}`,
      subtitle: 'Fill in its inputs, then Enter',
      icon: 'mdi-play-outline',
      act: () => focusField('.v-main form [name^="input-"]'),
    },
  ];
}

export function paletteActions(c: Context): PaletteItem[] {
  const { theme } = c;
  return [
    ...runAction(c.path),
    {
      key: 'new-chat',
      kind: 'action',
      title: 'New chat',
      subtitle: 'Pick who to talk to',
      icon: 'mdi-chat-plus-outline',
      act: async () => {
        await c.router.push('/chat');
        await focusField('[data-test=chat-pick] input');
      },
    },
    {
      key: 'theme',
      kind: 'action',
      title: theme.dark ? 'Light theme' : 'Dark theme',
      icon: theme.dark ? 'mdi-weather-sunny' : 'mdi-weather-night',
      act: theme.toggle,
    },
    ...(theme.choice === 'system'
      ? []
      : [
          {
            key: 'theme-system',
            kind: 'action',
            title: "Follow the system's theme",
            icon: 'mdi-theme-light-dark',
            act: () => theme.choose('system'),
          },
        ]),
    {
      key: 'shortcuts',
      kind: 'action',
      title: 'Keyboard shortcuts',
      subtitle: '?',
      icon: 'mdi-keyboard-outline',
      act: c.showShortcuts,
    },
    ...NAV_PAGES.map((p) => ({ key: `go:${p.to}`, kind: 'page', title: `Go to ${p.title}`, icon: p.icon, to: p.to })),
  ];
}

/** Every word typed appears in the item's title (any case). */
export function matchesText(item: PaletteItem, text: string): boolean {
  const title = item.title.toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .every((word) => title.includes(word));
}
