// Light or dark: the one picked in the app bar, kept in this browser; until then (or after "follow the system") the system's.
const KEY = 'vloop.theme';

export type ThemeName = 'light' | 'dark';
export type ThemeChoice = ThemeName | 'system';

/** The theme to start in: the saved pick, or 'system' (Vuetify follows the OS and its changes). */
export function savedTheme(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

/** Keep a pick; 'system' forgets it, so the theme follows the OS again. */
export function saveTheme(name: ThemeChoice): void {
  if (name === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, name);
}
