// Rollcast dashboard: one EventSource on /v1/stream (snapshot, then deltas; the browser resumes with
// Last-Event-ID by itself), one Chart.js panel per event type, and a table of the windows shown.
// A fixed range that has ended is not streamed: its windows are read page by page from /v1/rollups
// (the store for recent windows, the Parquet cold copy for older ones), up to the API's longest range.
// Each window is a step from its start to the next window's start, on exact minute ticks; an open
// window (an early row, still counting) is drawn dashed with a hollow point, a late correction as a
// triangle, an anomaly with a red ring whose tooltip gives its score; percentiles as a band.
(function () {
  'use strict';
  window.__errors = []; // uncaught errors, shown by the dashboard test when a wait times out
  window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
  const params = new URLSearchParams(location.search);
  const token = params.get('access_token'); // EventSource cannot send headers; a cookie works too
  const $ = (id) => document.getElementById(id);
  const MINUTE = 60000;
  const MAX_PANELS = 12;
  const STALE_S = 120;
  const windows = new Map(); // "type|start" -> row (absolute values, highest version)
  const charts = new Map(); // event type -> Chart
  let source = null;
  let deltaCount = 0;
  let redraw = false;
  let lastData = 0; // ms of the last snapshot or delta
  let maxRange = 48 * 3600000; // a streamed range (live, or fixed and still open): snapshot.max-range
  let apiMaxRange = 31 * 86400000; // a fixed range that has ended (/v1/rollups): api.max-range
  let loadSeq = 0; // the load of /v1/rollups pages in progress; a newer choice abandons an older load
  // the range shown: a live one (last rangeMs, open-ended) or a fixed [from, to)
  let range = { live: true, rangeMs: 15 * MINUTE, from: 0, to: null };

  const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

  function setState(s, text) {
    const el = $('state');
    el.dataset.state = s;
    el.textContent = text || s;
  }

  /** The slide of a spec id (the last duration: tumbling-1m -> 1m, sliding-5m-1m -> 1m), in ms. */
  function slideMs(spec) {
    const m = /-(\d+)(ms|s|m|h|d)$/.exec(spec || '');
    if (!m) return MINUTE;
    return Number(m[1]) * { ms: 1, s: 1000, m: MINUTE, h: 3600000, d: 86400000 }[m[2]];
  }

  /** [[q, value], ...] sorted by q, from a row's quantiles (an object {"0.5": v} or a list), or []. */
  function quantiles(row) {
    const q = row.quantiles;
    if (!q) return [];
    const pairs = Array.isArray(q) ? q.map((e) => [Number(e.q ?? e.quantile), e.value]) : Object.entries(q).map(([k, v]) => [Number(k), v]);
    return pairs.filter(([k, v]) => Number.isFinite(k) && v !== null && v !== undefined).sort((a, b) => a[0] - b[0]);
  }

  function pName(q) {
    return 'p' + String(Math.round(q * 1000) / 10).replace(/\.0$/, '');
  }

  function value(row, metric) {
    if (metric === 'avg') return row.count ? row.sum / row.count : 0;
    if (metric === 'distinct') return row.distinct ?? null;
    if (metric === 'band') { // the band's line: the quantile nearest the median
      const qs = quantiles(row);
      return qs.length ? qs.reduce((b, e) => (Math.abs(e[0] - 0.5) < Math.abs(b[0] - 0.5) ? e : b))[1] : null;
    }
    if (metric.startsWith('p')) {
      const hit = quantiles(row).find(([q]) => pName(q) === metric);
      return hit ? hit[1] : null;
    }
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
    offerMetrics(row);
    redraw = true;
    return true;
  }

  /** Adds the value choices a row makes possible: its percentiles, a band, distinct counts. */
  function offerMetrics(row) {
    const sel = $('metric');
    const have = new Set([...sel.options].map((o) => o.value));
    const add = (v, label) => { if (!have.has(v)) { sel.add(new Option(label, v)); have.add(v); } };
    const qs = quantiles(row);
    if (qs.length >= 2) add('band', pName(qs[0][0]) + '–' + pName(qs[qs.length - 1][0]) + ' band');
    for (const [q] of qs) add(pName(q), pName(q));
    if (row.distinct !== undefined && row.distinct !== null) add('distinct', 'distinct');
  }

  /** The x range drawn now: [min, max) on minute boundaries. */
  function xRange() {
    const slide = slideMs($('spec').value);
    if (!range.live) return { min: Math.floor(range.from / MINUTE) * MINUTE, max: Math.ceil(range.to / MINUTE) * MINUTE };
    const now = Date.now();
    return { min: Math.floor((now - range.rangeMs) / MINUTE) * MINUTE, max: Math.ceil((now + slide) / MINUTE) * MINUTE };
  }

  /** A tick step for a span: whole minutes, so every label is a distinct minute boundary. */
  function tickStep(span) {
    for (const m of [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720]) if (span / (m * MINUTE) <= 14) return m * MINUTE;
    return 1440 * MINUTE;
  }

  function label(ms, span) {
    const iso = new Date(ms).toISOString();
    return span > 86400000 ? iso.substring(5, 10) + ' ' + iso.substring(11, 16) : iso.substring(11, 16);
  }

  function panel(type, index) {
    if (charts.has(type)) return charts.get(type);
    const div = document.createElement('section');
    div.className = 'panel';
    div.dataset.type = type;
    const h = document.createElement('h2');
    h.textContent = type;
    const box = document.createElement('div');
    box.className = 'chart';
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', type + ' per window');
    box.appendChild(canvas);
    div.append(h, box);
    $('panels').appendChild(div);
    const color = palette[index % palette.length];
    const rowOf = (ctx) => ctx.raw && ctx.raw.row;
    const chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'linear', ticks: { includeBounds: false, autoSkip: false, maxRotation: 0 } },
          y: { beginAtZero: true }
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            filter: (item) => !!rowOf(item),
            callbacks: {
              title: (items) => {
                const r = rowOf(items[0]);
                return r ? new Date(r.window_start).toISOString().substring(11, 16) + '–' + new Date(r.window_end).toISOString().substring(11, 16) + ' UTC' : '';
              },
              label: (item) => {
                const r = rowOf(item);
                const a = r.anomaly;
                if (item.dataset.id === 'anomaly' && a) return 'anomaly: score ' + fmt(a.score) + ', baseline ' + fmt(a.baseline);
                return item.dataset.label + ' ' + fmt(item.parsed.y) + ' (' + (r.kind === 'early' ? 'open' : r.kind) + ', v' + r.version + ')';
              }
            }
          }
        }
      }
    });
    chart.$rollcast = { color };
    charts.set(type, chart);
    return chart;
  }

  function datasets(rows, metric, color, slide) {
    const points = rows.map((r) => ({ x: r.window_start, y: value(r, metric), row: r })).filter((p) => p.y !== null && p.y !== undefined);
    // the last window's step ends where the next window would start
    if (points.length) points.push({ x: points[points.length - 1].x + slide, y: points[points.length - 1].y, end: true });
    const rowAt = (ctx) => ctx.dataset.data[ctx.dataIndex] && ctx.dataset.data[ctx.dataIndex].row;
    const out = [{
      id: 'value', label: metric === 'band' ? 'median' : metric, data: points, stepped: 'after', borderColor: color,
      backgroundColor: color, borderWidth: 2,
      segment: { borderDash: (ctx) => { const p = ctx.p0DataIndex; const r = points[p] && points[p].row; return r && r.kind === 'early' ? [5, 4] : undefined; } },
      pointStyle: (ctx) => { const r = rowAt(ctx); return r && r.kind === 'late' ? 'triangle' : 'circle'; },
      pointRadius: (ctx) => { const r = rowAt(ctx); return !r ? 0 : r.kind === 'late' ? 6 : r.kind === 'early' ? 4 : 2; },
      pointBackgroundColor: (ctx) => { const r = rowAt(ctx); return r && r.kind === 'early' ? '#ffffff' : r && r.kind === 'late' ? '#f59e0b' : color; },
      pointBorderColor: (ctx) => { const r = rowAt(ctx); return r && r.kind === 'late' ? '#b45309' : color; }
    }];
    if (metric === 'band') {
      const edge = (i) => rows.map((r) => { const qs = quantiles(r); return qs.length ? { x: r.window_start, y: qs[i < 0 ? qs.length - 1 : i][1], row: r } : null; }).filter(Boolean);
      const lo = edge(0);
      const hi = edge(-1);
      if (lo.length) {
        lo.push({ x: lo[lo.length - 1].x + slide, y: lo[lo.length - 1].y, end: true });
        hi.push({ x: hi[hi.length - 1].x + slide, y: hi[hi.length - 1].y, end: true });
      }
      const q = rows.length ? quantiles(rows[rows.length - 1]) : [];
      out.push({ id: 'band-low', label: q.length ? pName(q[0][0]) : 'low', data: lo, stepped: 'after', borderWidth: 1, borderColor: color + '80', pointRadius: 0, fill: false });
      out.push({ id: 'band-high', label: q.length ? pName(q[q.length - 1][0]) : 'high', data: hi, stepped: 'after', borderWidth: 1, borderColor: color + '80', backgroundColor: color + '26', pointRadius: 0, fill: '-1' });
    }
    const flagged = points.filter((p) => p.row && p.row.anomaly && p.row.anomaly.flagged);
    out.push({
      id: 'anomaly', label: 'anomaly', data: flagged, showLine: false, pointRadius: 8, pointHoverRadius: 10,
      pointBorderWidth: 3, pointBorderColor: '#dc2626', pointBackgroundColor: 'rgba(220,38,38,0.15)'
    });
    return out;
  }

  function render() {
    requestAnimationFrame(render);
    if (!redraw) return;
    redraw = false;
    const metric = $('metric').value;
    const slide = slideMs($('spec').value);
    const { min, max } = xRange();
    if (range.live) { // live: windows that scrolled out of the range are dropped, so memory stays bounded
      for (const [k, r] of windows) if (r.window_start + slide < min) windows.delete(k);
    }
    const rows = [...windows.values()].sort((a, b) => a.window_start - b.window_start || a.event_type.localeCompare(b.event_type));
    const byType = new Map();
    for (const r of rows) {
      if (!byType.has(r.event_type)) byType.set(r.event_type, []);
      byType.get(r.event_type).push(r);
    }
    const types = [...byType.keys()].sort();
    const shown = types.slice(0, MAX_PANELS);
    for (const [t, c] of charts) {
      if (!shown.includes(t)) { c.destroy(); charts.delete(t); document.querySelector('.panel[data-type="' + CSS.escape(t) + '"]').remove(); }
    }
    const notice = $('notice');
    notice.hidden = types.length <= MAX_PANELS;
    notice.textContent = types.length > MAX_PANELS ? (types.length - MAX_PANELS) + ' more event types: choose one under "event type"' : '';
    const span = max - min;
    const step = tickStep(span);
    shown.forEach((t, i) => {
      const chart = panel(t, i);
      chart.data.datasets = datasets(byType.get(t), metric, chart.$rollcast.color, slide);
      const x = chart.options.scales.x;
      x.min = Math.floor(min / step) * step; // ticks at whole multiples of the step: 10:00, 10:02, ...
      x.max = max;
      x.ticks.stepSize = step;
      x.ticks.callback = (v) => label(v, span);
      chart.update('none');
    });
    const body = $('windows').tBodies[0];
    body.replaceChildren(...rows.slice(-200).reverse().map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.key = r.event_type + '|' + r.window_start;
      tr.dataset.kind = r.kind;
      if (r.anomaly && r.anomaly.flagged) tr.dataset.anomaly = 'true';
      for (const v of [r.event_type, new Date(r.window_start).toISOString().substring(0, 19).replace('T', ' '),
        r.kind === 'early' ? 'open' : r.kind, r.version, r.count, fmt(r.sum), fmt(r.min), fmt(r.max), more(r)]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.appendChild(td);
      }
      return tr;
    }));
    $('points').textContent = windows.size;
    $('deltas').textContent = deltaCount;
  }

  function more(r) {
    const parts = quantiles(r).map(([q, v]) => pName(q) + ' ' + fmt(v));
    if (r.distinct !== undefined && r.distinct !== null) parts.push('distinct ' + r.distinct);
    if (r.anomaly) parts.push('anomaly score ' + fmt(r.anomaly.score) + (r.anomaly.flagged ? ' (flagged)' : ''));
    return parts.join(' · ');
  }

  function fmt(x) {
    if (x === null || x === undefined) return '–';
    return Number.isInteger(x) ? String(x) : Number(x).toFixed(3);
  }

  function freshness() {
    const el = $('freshness');
    if (!lastData) return;
    const age = Math.max(0, Math.round((Date.now() - lastData) / 1000));
    el.dataset.age = String(age);
    el.textContent = 'updated ' + (age < 60 ? age + ' s' : Math.floor(age / 60) + ' min') + ' ago';
    el.classList.toggle('stale', range.live && age > STALE_S);
    if (range.live) redraw = true; // the live range scrolls with the clock
  }

  function touched() {
    lastData = Date.now();
    $('last-update').textContent = new Date(lastData).toISOString().substring(11, 19);
    freshness();
  }

  let lastId = null; // the last event id: a reopened stream resumes from it
  let reopenTimer = null;

  /** Whether the range is fixed and over: nothing in it can change but late corrections, no stream needed. */
  function ended() {
    return !range.live && range.to <= Date.now();
  }

  /**
   * A fixed range that has ended: every page of /v1/rollups (all windows, highest version each), then
   * drawn once. On 429/503 waits Retry-After and asks for the same page again; any other refusal is
   * shown with the server's message. A fixed range that ends in the future is streamed instead (its
   * open windows change), as before, up to snapshot.max-range.
   */
  async function load() {
    const seq = ++loadSeq;
    if (source) { source.close(); source = null; }
    clearTimeout(reopenTimer);
    windows.clear();
    lastId = null;
    redraw = true;
    setState('connecting', 'loading');
    const headers = token ? { Authorization: 'Bearer ' + token } : {};
    let pageToken = null;
    let pages = 0;
    for (;;) {
      const q = new URLSearchParams({ spec: $('spec').value, from: String(range.from), to: String(range.to) });
      if ($('event-type').value) q.set('event_type', $('event-type').value);
      if (pageToken) q.set('page_token', pageToken);
      let r;
      try {
        r = await fetch('/v1/rollups?' + q, { headers });
      } catch (e) {
        r = { ok: false, status: 503, headers: new Headers({ 'Retry-After': '2' }), json: async () => ({}) };
      }
      if (seq !== loadSeq) return;
      if (r.status === 429 || r.status === 503) {
        const wait = Math.max(1, Number(r.headers.get('Retry-After') || '1'));
        setState('connecting', 'loading (retry in ' + wait + ' s)');
        await new Promise((res) => setTimeout(res, wait * 1000));
        if (seq !== loadSeq) return;
        continue;
      }
      if (!r.ok) {
        let message = 'HTTP ' + r.status;
        try { message = (await r.json()).message || message; } catch (e) { /* not JSON */ }
        const error = $('range-error');
        error.hidden = false;
        error.textContent = message;
        setState('error', 'range not loaded');
        return;
      }
      const page = await r.json();
      if (seq !== loadSeq) return;
      for (const row of page.rows) apply(row);
      pages++;
      $('state').dataset.pages = String(pages);
      redraw = true;
      pageToken = page.next_page_token;
      if (!pageToken) break;
    }
    setState('live', 'history');
    touched();
  }

  // resumeFrom: an event id to resume from (keeps the windows held), or nothing for a fresh snapshot
  function connect(resumeFrom) {
    if (ended()) {
      load();
      return;
    }
    loadSeq++; // a load still running is abandoned
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
    if (range.live) {
      q.set('from', String(Math.floor((Date.now() - range.rangeMs) / MINUTE) * MINUTE));
    } else {
      q.set('from', String(range.from));
      q.set('to', String(range.to));
    }
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
      setState(state, state === 'live' ? (range.live ? 'live' : 'history') : 'live (resynced)');
      touched();
    };
    source.addEventListener('snapshot', start('live'));
    source.addEventListener('resync', start('resynced'));
    source.addEventListener('delta', (e) => {
      lastId = e.lastEventId || lastId;
      deltaCount++;
      apply(JSON.parse(e.data));
      redraw = true;
      touched();
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
    source.addEventListener('expired', () => {
      source.close(); // EventSource would reconnect with the expired token: reload the page with a fresh one
      setState('error', 'token expired');
    });
  }

  const toInput = (ms) => new Date(ms).toISOString().substring(0, 16);
  const fromInput = (s) => Date.parse(s + ':00Z');

  function chooseRange() {
    const v = $('range').value;
    $('custom').hidden = v !== 'custom';
    if (v === 'custom') {
      if (!$('from').value) {
        const now = Math.floor(Date.now() / MINUTE) * MINUTE;
        $('from').value = toInput(now - 3600000);
        $('to').value = toInput(now);
      }
      return; // applied with "show"
    }
    range = { live: true, rangeMs: Number(v), from: 0, to: null };
    connect();
  }

  function applyCustom() {
    const from = fromInput($('from').value);
    const to = fromInput($('to').value);
    const error = $('range-error');
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
      error.hidden = false;
      error.textContent = 'the custom range needs a "from" before its "to"';
      return;
    }
    // an ended range is read from /v1/rollups (up to api.max-range), an open one streamed (snapshot.max-range)
    const longest = to <= Date.now() ? apiMaxRange : maxRange;
    if (to - from > longest) {
      error.hidden = false;
      error.textContent = 'the longest range is ' + (longest % 86400000 === 0 && longest > 2 * 86400000
        ? Math.round(longest / 86400000) + ' days' : Math.round(longest / 3600000) + ' h');
      return;
    }
    error.hidden = true;
    range = { live: false, rangeMs: to - from, from, to };
    connect();
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
    if (who.max_range_ms) maxRange = who.max_range_ms;
    if (who.api_max_range_ms) apiMaxRange = who.api_max_range_ms;
    for (const o of $('range').options) if (o.value !== 'custom' && Number(o.value) > maxRange) o.disabled = true;
    const specs = who.specs.includes('*') ? ['tumbling-1m', 'sliding-5m-1m', 'sliding-60m-1m'] : who.specs;
    for (const s of specs) $('spec').add(new Option(s, s));
    if (params.get('spec') && specs.includes(params.get('spec'))) $('spec').value = params.get('spec');
    if (params.get('event_type')) {
      $('event-type').add(new Option(params.get('event_type'), params.get('event_type')));
      $('event-type').value = params.get('event_type');
    }
    if (params.get('from') && params.get('to')) { // a link to a fixed (history) range
      range = { live: false, rangeMs: 0, from: Number(params.get('from')), to: Number(params.get('to')) };
      range.rangeMs = range.to - range.from;
      $('range').value = 'custom';
      $('custom').hidden = false;
      $('from').value = toInput(range.from);
      $('to').value = toInput(range.to);
    } else if (params.get('range') && [...$('range').options].some((o) => o.value === params.get('range'))) {
      $('range').value = params.get('range');
      range.rangeMs = Number(params.get('range'));
    }
    $('spec').onchange = () => connect();
    $('event-type').onchange = () => connect();
    $('metric').onchange = () => { redraw = true; };
    $('range').onchange = chooseRange;
    $('apply').onclick = applyCustom;
    setInterval(freshness, 1000);
    requestAnimationFrame(render);
    connect();
  }

  init();
})();
