// Rollcast dashboard: one EventSource on /v1/stream (snapshot, then deltas; the browser resumes with
// Last-Event-ID by itself), a Chart.js line per event type, and a table of the windows shown.
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  const token = params.get('access_token'); // EventSource cannot send headers; a cookie works too
  const $ = (id) => document.getElementById(id);
  const windows = new Map(); // "type|start" -> row (absolute values, highest version)
  let source = null;
  let deltaCount = 0;
  let redraw = false;

  const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
  const chart = new Chart($('chart'), {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
      scales: {
        x: { type: 'linear', ticks: { callback: (v) => new Date(v).toISOString().substring(11, 16) } },
        y: { beginAtZero: true }
      },
      plugins: { legend: { position: 'bottom' } }
    }
  });

  function setState(s, text) {
    const el = $('state');
    el.dataset.state = s;
    el.textContent = text || s;
  }

  function value(row, metric) {
    if (metric === 'avg') return row.count ? row.sum / row.count : 0;
    return row[metric];
  }

  function apply(row) {
    const key = row.event_type + '|' + row.window_start;
    const held = windows.get(key);
    if (held && held.version >= row.version) return false; // duplicates and replays are harmless
    windows.set(key, row);
    if (![...$('event-type').options].some((o) => o.value === row.event_type)) {
      $('event-type').add(new Option(row.event_type, row.event_type));
    }
    redraw = true;
    return true;
  }

  function render() {
    requestAnimationFrame(render);
    if (!redraw) return;
    redraw = false;
    const metric = $('metric').value;
    const rows = [...windows.values()].sort((a, b) => a.window_start - b.window_start || a.event_type.localeCompare(b.event_type));
    const byType = new Map();
    for (const r of rows) {
      if (!byType.has(r.event_type)) byType.set(r.event_type, []);
      byType.get(r.event_type).push({ x: r.window_start, y: value(r, metric) });
    }
    chart.data.datasets = [...byType.entries()].map(([type, data], i) => ({
      label: type, data, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length],
      pointRadius: 2, tension: 0.2
    }));
    chart.update('none');
    const body = $('windows').tBodies[0];
    body.replaceChildren(...rows.slice(-200).reverse().map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.key = r.event_type + '|' + r.window_start;
      for (const v of [r.event_type, new Date(r.window_start).toISOString().substring(0, 19).replace('T', ' '), r.kind,
        r.version, r.count, fmt(r.sum), fmt(r.min), fmt(r.max)]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.appendChild(td);
      }
      return tr;
    }));
    $('points').textContent = windows.size;
    $('deltas').textContent = deltaCount;
  }

  function fmt(x) {
    return Number.isInteger(x) ? String(x) : x.toFixed(3);
  }

  let lastId = null; // the last event id: a reopened stream resumes from it
  let reopenTimer = null;

  // resumeFrom: an event id to resume from (keeps the windows held), or nothing for a fresh snapshot
  function connect(resumeFrom) {
    if (source) source.close();
    clearTimeout(reopenTimer);
    if (!resumeFrom) {
      windows.clear();
      lastId = null;
    }
    redraw = true;
    const q = new URLSearchParams({ spec: $('spec').value });
    if (resumeFrom) q.set('last_event_id', resumeFrom);
    if ($('event-type').value) q.set('event_type', $('event-type').value);
    for (const k of ['from', 'to']) if (params.get(k)) q.set(k, params.get(k)); // a fixed (history) range
    if (token) q.set('access_token', token);
    setState('connecting');
    source = new EventSource('/v1/stream?' + q);
    source.onopen = () => setState('connecting', 'subscribed');
    const start = (state) => (e) => {
      lastId = e.lastEventId || lastId;
      const snap = JSON.parse(e.data);
      windows.clear();
      for (const r of snap.rows) apply(r);
      redraw = true;
      setState(state, state === 'live' ? 'live' : 'live (resynced)');
      $('last-update').textContent = new Date().toISOString().substring(11, 19);
    };
    source.addEventListener('snapshot', start('live'));
    source.addEventListener('resync', start('resynced'));
    source.addEventListener('delta', (e) => {
      lastId = e.lastEventId || lastId;
      deltaCount++;
      apply(JSON.parse(e.data));
      redraw = true;
      $('last-update').textContent = new Date().toISOString().substring(11, 19);
    });
    source.addEventListener('expired', () => {
      source.close(); // EventSource would reconnect with the expired token: reload the page with a fresh one
      setState('error', 'token expired');
    });
    source.addEventListener('error', (e) => {
      if (e.data) setState('error', JSON.parse(e.data).error);
      else if (source.readyState === EventSource.CONNECTING) setState('reconnecting');
      else if (source.readyState === EventSource.CLOSED) setState('error', 'closed');
      // EventSource gives up on a refusal (429 or 503 with Retry-After, a stream the server ended):
      // open a new one after a few seconds, resuming from the last event id
      if (source.readyState === EventSource.CLOSED || (e.data && JSON.parse(e.data).error !== 'auth_expired')) {
        source.close();
        reopenTimer = setTimeout(() => connect(lastId), 5000 + Math.random() * 5000);
      }
    });
  }

  async function init() {
    const headers = token ? { Authorization: 'Bearer ' + token } : {};
    const me = await fetch('/v1/me', { headers });
    if (!me.ok) {
      setState('error', 'not authorized (' + me.status + ')');
      return;
    }
    const who = await me.json();
    $('tenant').textContent = who.tenant;
    const specs = who.specs.includes('*') ? ['tumbling-1m', 'sliding-5m-1m', 'sliding-60m-1m'] : who.specs;
    for (const s of specs) $('spec').add(new Option(s, s));
    if (params.get('spec') && specs.includes(params.get('spec'))) $('spec').value = params.get('spec');
    if (params.get('event_type')) {
      $('event-type').add(new Option(params.get('event_type'), params.get('event_type')));
      $('event-type').value = params.get('event_type');
    }
    $('spec').onchange = () => connect();
    $('event-type').onchange = () => connect();
    $('metric').onchange = () => { redraw = true; };
    requestAnimationFrame(render);
    connect();
  }

  init();
})();
