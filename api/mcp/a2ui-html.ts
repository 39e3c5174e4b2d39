// The small A2UI renderer that ships inside an app's MCP App resource: our catalog drawn with plain DOM (every value
// as text, images only from data: URLs), bound to /inputs, /outputs and /run, its one action calling the app's tool
// through the MCP Apps bridge (ext-apps' App). Browser code, served inline like the HTML views' bridge client:
// `mountA2uiApp(App, boot)`.

/** What the page is given: the tool its run button calls, and the app's surface and examples. */
export interface AppBoot {
  tool: string;
  title: string;
  components: Array<Record<string, unknown>>;
  examples: Array<Record<string, unknown>>;
}

export const A2UI_RENDERER = `function mountA2uiApp(App, boot) {
  const state = { inputs: { ...(boot.examples[0] || {}) }, outputs: {}, run: { status: 'idle' } };
  const byId = new Map(boot.components.map((c) => [c.id, c]));
  const read = (v) => {
    if (!v || typeof v !== 'object' || typeof v.path !== 'string') return v;
    let at = state;
    for (const part of v.path.split('/').slice(1)) at = at == null ? undefined : at[part];
    return at;
  };
  // Only a form field is written: /inputs/<field>.
  const write = (v, value) => {
    const parts = String(v.path).split('/').slice(1);
    if (parts[0] === 'inputs' && parts.length === 2) state.inputs[parts[1]] = value;
  };
  const text = (v) => (v == null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  const el = (tag, cls, content) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined) e.textContent = text(content);
    return e;
  };
  const app = new App({ name: boot.title, version: '1' });
  const run = async () => {
    state.run = { status: 'running' };
    draw();
    try {
      const result = await app.callServerTool({ name: boot.tool, arguments: { ...state.inputs } });
      const message = (result.content || []).map((c) => c.text || '').join('\\n');
      state.outputs = result.isError ? {} : result.structuredContent || {};
      state.run = result.isError ? { status: 'failed', error: message } : { status: 'completed' };
    } catch (err) {
      state.run = { status: 'failed', error: String((err && err.message) || err) };
    }
    draw();
  };
  const field = (c) => {
    const box = el('label', 'field');
    box.append(el('span', 'label', c.label || ''));
    let input;
    if (c.component === 'TextField') {
      input = el(c.variant === 'longText' ? 'textarea' : 'input');
      if (c.variant === 'number') input.type = 'number';
      input.value = text(read(c.value));
      input.addEventListener('input', () => write(c.value, c.variant === 'number' ? Number(input.value) : input.value));
    } else if (c.component === 'CheckBox') {
      input = el('input');
      input.type = 'checkbox';
      input.checked = Boolean(read(c.value));
      input.addEventListener('change', () => write(c.value, input.checked));
    } else {
      input = el('select');
      for (const o of c.options) {
        const opt = el('option', undefined, o.label);
        opt.value = o.value;
        input.append(opt);
      }
      input.value = text(read(c.value));
      input.addEventListener('change', () => write(c.value, input.value));
    }
    input.setAttribute('aria-label', c.label || c.id);
    box.append(input);
    return box;
  };
  const table = (c) => {
    const rows = (read(c.rows) || []).filter((r) => r && typeof r === 'object');
    const cols = c.columns || Object.keys(rows[0] || {});
    const t = el('table');
    const head = el('tr');
    head.append(...cols.map((k) => el('th', undefined, k)));
    t.append(head);
    for (const r of rows) {
      const tr = el('tr');
      tr.append(...cols.map((k) => el('td', undefined, r[k])));
      t.append(tr);
    }
    return t;
  };
  const node = (id, depth) => {
    const c = byId.get(id);
    if (!c || depth > 50) return el('span');
    const kids = (ids) => (ids || []).map((k) => node(k, depth + 1));
    switch (c.component) {
      case 'Text':
        return el(/^h[1-5]$/.test(c.variant || '') ? c.variant : 'p', c.variant || 'body', read(c.text));
      case 'Markdown':
        return el('p', 'markdown', read(c.text));
      case 'Badge':
        return el('span', 'badge ' + (c.color || 'grey'), read(c.text));
      case 'Column':
      case 'Row': {
        const box = el('div', c.component.toLowerCase());
        box.append(...kids(c.children));
        return box;
      }
      case 'Card': {
        const box = el('section', 'card');
        if (c.title !== undefined) box.append(el('h4', undefined, read(c.title)));
        box.append(node(c.child, depth + 1));
        return box;
      }
      case 'List': {
        const list = el('ul');
        for (const item of read(c.items) || [])
          list.append(el('li', undefined, c.itemText && item && typeof item === 'object' ? item[c.itemText] : item));
        return list;
      }
      case 'Table':
        return table(c);
      case 'KeyValue': {
        const dl = el('dl');
        if (c.label) dl.append(el('dt', 'label', c.label));
        for (const [k, v] of Object.entries(read(c.value) || {})) dl.append(el('dt', undefined, k), el('dd', undefined, v));
        return dl;
      }
      case 'Progress': {
        const p = el('progress');
        const v = read(c.value);
        if (typeof v === 'number') p.value = v;
        return p;
      }
      case 'Divider':
        return el('hr');
      case 'Image': {
        const url = text(read(c.url));
        if (!url.startsWith('data:image/')) return el('span', 'caption', c.description || '');
        const img = el('img');
        img.src = url;
        img.alt = c.description || '';
        return img;
      }
      case 'Button': {
        const b = el('button', 'run', c.label);
        b.disabled = state.run.status === 'running';
        b.addEventListener('click', () => void run());
        return b;
      }
      default:
        return field(c);
    }
  };
  const root = document.getElementById('app');
  const draw = () => {
    root.replaceChildren(node('root', 0));
    if (state.run.error) root.append(el('p', 'error', state.run.error));
  };
  draw();
  void app.connect();
}`;

/** The page's look: plain, readable in a host's light or dark frame. */
export const A2UI_STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:12px;color:#1d1d1f}
.column{display:flex;flex-direction:column;gap:8px}.row{display:flex;gap:12px;flex-wrap:wrap}
.card{border:1px solid #d0d0d6;border-radius:8px;padding:10px 12px}.field{display:flex;flex-direction:column;gap:4px}
textarea{min-height:80px}textarea,input,select{font:inherit;padding:6px}.badge{display:inline-block;padding:1px 8px;
border-radius:10px;background:#e8e8ee}.badge.success{background:#d6f5dd}.badge.error{background:#fadada}
.badge.warning{background:#fcefd2}.badge.info,.badge.primary{background:#dbe8fb}.caption{color:#666;font-size:12px}
button.run,.column>.badge{align-self:flex-start}button.run{padding:6px 14px;font:inherit}.error{color:#b00020}h1,h2,h3,h4,h5{margin:4px 0}`;
