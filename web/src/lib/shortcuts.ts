// Every keyboard shortcut, for the `?` dialog, and the open state of the command palette and that dialog.
import { ref } from 'vue';

export interface Shortcut {
  keys: string[];
  what: string;
}

export const SHORTCUTS: Array<{ where: string; shortcuts: Shortcut[] }> = [
  {
    where: 'Everywhere',
    shortcuts: [
      {
        keys: ['Ctrl K', '⌘ K'],
        what: 'Command palette: go to a run, component, pipeline, app, eval or dataset; run an action',
      },
      { keys: ['/'], what: 'Search runs (the app bar)' },
      { keys: ['?'], what: 'This list of shortcuts' },
    ],
  },
  {
    where: 'Command palette',
    shortcuts: [
      { keys: ['↑', '↓'], what: 'Move through the results' },
      { keys: ['Enter'], what: 'Open the result, or run the action' },
      { keys: ['Esc'], what: 'Close' },
    ],
  },
  {
    where: 'A run',
    shortcuts: [
      { keys: ['j', 'k'], what: 'The next / previous event in the inspector' },
      { keys: ['l'], what: 'The history player back to live' },
      { keys: ['Esc'], what: 'No event selected' },
    ],
  },
  {
    where: 'Annotation queue',
    shortcuts: [
      { keys: ['←', '→'], what: 'The previous / next run' },
      { keys: ['1', '2', '3', '4', '5'], what: 'Score the run' },
      { keys: ['n'], what: 'Write a note (Enter keeps it, Esc leaves it)' },
    ],
  },
];

export const paletteOpen = ref(false);
export const shortcutsOpen = ref(false);
