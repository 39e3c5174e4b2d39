// Light or dark: the one picked in the app bar, kept in this browser; until then the system's.
const KEY = 'vloop.theme';

export type ThemeName = 'light' | 'dark';

/** The theme to start in: the saved pick, or 'system' (Vuetify follows the OS and its changes). */
export function savedTheme(): ThemeName | 'system' {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

export function saveTheme(name: ThemeName): void {
  localStorage.setItem(KEY, name);
}
