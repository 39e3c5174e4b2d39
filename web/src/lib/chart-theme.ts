// ECharts themed from Vuetify's current theme, so charts switch with the app bar's light/dark toggle.
import { computed, type ComputedRef } from 'vue';
import { useTheme } from 'vuetify';

// Okabe–Ito, told apart with colour-blindness too; the dark set is lifted to read on a dark surface.
const PALETTE = {
  light: ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#8C6D31', '#7F7F7F'],
  dark: ['#56B4E9', '#E69F00', '#2FC59A', '#E08BC0', '#4D9DE0', '#FF8A4C', '#C9A45C', '#B0B0B0'],
};

/** A hex colour (#rgb or #rrggbb) at some opacity. */
export function withAlpha(hex: string, alpha: number): string {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h.slice(0, 6);
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

export interface ChartColors {
  dark: boolean;
  text: string;
  muted: string;
  grid: string;
  surface: string;
  failed: string;
  ok: string;
  palette: string[];
}

/** The colours a chart needs, from a Vuetify theme's colours. */
export function chartColors(colors: Record<string, string>, dark: boolean): ChartColors {
  const on = colors['on-surface'] ?? (dark ? '#FFFFFF' : '#000000');
  return {
    dark,
    text: withAlpha(on, 0.87),
    muted: withAlpha(on, 0.6),
    grid: withAlpha(on, dark ? 0.14 : 0.1),
    surface: colors.surface ?? (dark ? '#212121' : '#FFFFFF'),
    failed: colors.error ?? '#B00020',
    // The other runs stay quiet beside the failures.
    ok: withAlpha(colors.primary ?? '#1867C0', dark ? 0.45 : 0.55),
    palette: dark ? PALETTE.dark : PALETTE.light,
  };
}

const axis = (c: ChartColors) => ({
  axisLine: { lineStyle: { color: c.grid } },
  axisTick: { lineStyle: { color: c.grid } },
  axisLabel: { color: c.muted },
  splitLine: { lineStyle: { color: c.grid } },
});

/** An ECharts theme object for those colours (given to VChart's `theme`). */
export function echartsTheme(c: ChartColors): Record<string, unknown> {
  return {
    color: c.palette,
    backgroundColor: 'transparent',
    textStyle: { color: c.text, fontFamily: 'Roboto, sans-serif' },
    legend: { textStyle: { color: c.muted }, pageTextStyle: { color: c.muted } },
    tooltip: { backgroundColor: c.surface, borderColor: c.grid, textStyle: { color: c.text } },
    categoryAxis: axis(c),
    valueAxis: axis(c),
  };
}

/** The current Vuetify theme's chart colours and ECharts theme, following its changes. */
export function useChartTheme(): { colors: ComputedRef<ChartColors>; theme: ComputedRef<Record<string, unknown>> } {
  const vuetify = useTheme();
  const colors = computed(() => chartColors(vuetify.current.value.colors, vuetify.current.value.dark));
  return { colors, theme: computed(() => echartsTheme(colors.value)) };
}
