// Keyboard shortcuts never fire while typing in a field, or with a modifier held.
export function isShortcut(e: KeyboardEvent): boolean {
  const t = e.target;
  const typing =
    t instanceof HTMLElement && (['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) || t.isContentEditable);
  return !typing && !e.ctrlKey && !e.metaKey && !e.altKey;
}
