// Shared by the dashboard's pages: the API token, API calls, polling and small DOM helpers.
// The token comes from the form or from "#token=..." in the address (then removed from it) and lives in
// sessionStorage: this tab only, never in the server's logs.
const Tale = (() => {
  const KEY = 'tale.api.token';
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const form = document.getElementById('token-form');
  if (form) {
    form.addEventListener('submit', e => {
      e.preventDefault();
      sessionStorage.setItem(KEY, document.getElementById('token').value.trim());
      location.reload();
    });
  }

  function status(text) {
    const el = document.getElementById('status');
    if (el) el.textContent = text;
  }

  async function api(path) {
    const token = sessionStorage.getItem(KEY);
    const response = await fetch(path, { headers: token ? { Authorization: 'Bearer ' + token } : {} });
    if (!response.ok) {
      let message = response.status + ' ' + response.statusText;
      try { message = (await response.json()).error || message; } catch (ignored) { /* not JSON */ }
      if (response.status === 401) message += ': enter the API token above';
      throw new Error(message);
    }
    return response.json();
  }

  // Runs task now and then every ms milliseconds until it returns false; errors show in the status line.
  function every(ms, task) {
    const run = async () => {
      let again = true;
      try {
        again = (await task()) !== false;
      } catch (e) {
        status(e.message);
      }
      if (again) setTimeout(run, ms);
    };
    run();
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function row(cells) {
    const tr = document.createElement('tr');
    cells.forEach(c => {
      const td = document.createElement('td');
      if (c instanceof Node) td.appendChild(c); else td.textContent = c;
      tr.appendChild(td);
    });
    return tr;
  }

  function link(href, text) {
    const a = el('a', text);
    a.href = href;
    return a;
  }

  const badge = state => el('span', state, 'badge ' + state);

  // A succeeded job reports no step work (0 / 0): its bar is full.
  function progress(done, total, state) {
    const span = el('span', null, 'mini');
    const fill = el('i');
    fill.style.width = total > 0 ? Math.round(100 * done / total) + '%' : (state === 'succeeded' ? '100%' : '0');
    span.title = done + ' / ' + total;
    span.appendChild(fill);
    return span;
  }

  const time = iso => iso ? new Date(iso).toLocaleTimeString() : '';
  const pct = x => x === null || x === undefined ? '' : (100 * x).toFixed(1) + '%';

  return { api, every, status, el, row, link, badge, progress, time, pct };
})();
