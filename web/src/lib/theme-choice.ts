// The theme as the app bar and the command palette change it: light, dark, or following the system, kept in this browser.
import { computed } from 'vue';
import { useTheme } from 'vuetify';
import { saveTheme, type ThemeChoice } from './theme';

export function useThemeChoice() {
  const theme = useTheme();
  const dark = computed(() => theme.global.current.value.dark);
  const choice = computed<ThemeChoice>(() => (theme.isSystem.value ? 'system' : dark.value ? 'dark' : 'light'));
  function choose(next: ThemeChoice) {
    theme.change(next);
    saveTheme(next);
  }
  /** The other of light and dark, kept as this browser's pick. */
  const toggle = () => choose(dark.value ? 'light' : 'dark');
  return { dark, choice, choose, toggle };
}
