// The job page: polls the API every second until the job has ended, then draws the final state once more.
(() => {
  const id = new URLSearchParams(location.search).get('id');
  document.getElementById('job-id').textContent = id || '(no id)';
  document.title = 'TALE job ' + id;
  if (!id) { Tale.status('No job id: open a job from the list.'); return; }
  const jobPath = '/api/jobs/' + encodeURIComponent(id);
  const ENDED = ['succeeded', 'failed', 'cancelled'];
  const MARKERS = [
    { key: 'best', label: 'Best', style: 'star', color: '#d97706' },
    { key: 'bsba', label: 'BSBA', style: 'triangle', color: '#7c3aed' },
    { key: 'final', label: 'Final', style: 'rectRot', color: '#dc2626' }];
  let trajectoryChart = null;
  let heatmapChart = null;

  function setText(elementId, text) { document.getElementById(elementId).textContent = text ?? ''; }

  function showJob(job) {
    setText('model', job.model);
    setText('task', job.task);
    const state = document.getElementById('state');
    state.replaceChildren(Tale.badge(job.state));
    setText('round', job.round);
    setText('step', job.step);
    setText('layers', job.numLayers);
    setText('floor', Tale.pct(job.floor));
    const fraction = job.total > 0 ? job.done / job.total : (job.state === 'succeeded' ? 1 : 0);
    document.getElementById('progress-fill').style.width = (100 * fraction).toFixed(1) + '%';
    const where = job.step === 'round' || !job.step ? `round ${job.round}` : `${job.step} (round ${job.round})`;
    setText('progress-text', job.total > 0 ? `${where}: ${job.done} / ${job.total} scores` : job.state);
    setText('error', job.error);
    document.querySelector('#workers tbody').replaceChildren(...job.workers.map(w => Tale.row([
      w.workerId, String(w.units), String(w.failed), String(w.scores), String(w.correct), (w.elapsedMs / 1000).toFixed(1)])));
    showResults(job.summary);
  }

  // Baseline, Best, BSBA and Final as tale search prints them.
  function showResults(summary) {
    const box = document.getElementById('results');
    if (!summary) { box.replaceChildren(); return; }
    const table = Tale.el('table');
    table.appendChild(Tale.row(['', 'Removed', 'Layers kept', 'Search', 'Test', 'Est. speed-up'].map(h => Tale.el('b', h))));
    for (const [label, key] of [['Baseline', 'baseline'], ['Best', 'best'], ['BSBA', 'bsba'], ['Final', 'final']]) {
      const c = summary[key];
      if (!c) continue;
      table.appendChild(Tale.row([label, '[' + c.removed.join(', ') + ']', String(c.layersKept),
        Tale.pct(c.search && c.search.accuracy), Tale.pct(c.test && c.test.accuracy),
        c.estimatedSpeedup ? c.estimatedSpeedup.toFixed(2) + 'x' : '']));
    }
    box.replaceChildren(Tale.el('h2', 'Result'), table);
  }

  function drawTrajectory(t) {
    const xy = (c, field) => c[field] === null || c[field] === undefined ? null : { x: c.layersRemoved, y: c[field], removed: c.removed };
    const maxX = Math.max(t.numLayers ?? 1, ...t.points.map(p => p.layersRemoved + 1));
    const datasets = [
      { label: 'search', data: t.points.map(p => xy(p, 'searchAccuracy')).filter(Boolean), showLine: true,
        borderColor: '#2563eb', backgroundColor: '#2563eb', pointRadius: 4 },
      { label: 'test', data: t.points.map(p => xy(p, 'testAccuracy')).filter(Boolean), showLine: true,
        borderColor: '#059669', backgroundColor: '#059669', borderDash: [6, 3], pointRadius: 4 }];
    if (t.floor !== null && t.floor !== undefined) {
      datasets.push({ label: 'floor', data: [{ x: 0, y: t.floor }, { x: maxX, y: t.floor }], showLine: true,
        borderColor: '#9ca3af', borderDash: [2, 2], pointRadius: 0 });
    }
    for (const m of MARKERS) {
      const c = t[m.key];
      if (!c) continue;
      datasets.push({ label: m.label, data: [xy(c, 'searchAccuracy')], pointStyle: m.style, pointRadius: 11,
        pointHoverRadius: 13, borderColor: m.color, backgroundColor: m.color + '66', borderWidth: 2 });
    }
    if (!trajectoryChart) {
      trajectoryChart = new Chart(document.getElementById('trajectory'), {
        type: 'scatter', data: { datasets }, options: {
          animation: false, maintainAspectRatio: false,
          scales: { x: { title: { display: true, text: 'layers removed' }, min: 0, max: maxX, ticks: { stepSize: 1 } },
                    y: { title: { display: true, text: 'accuracy' } } },
          plugins: { tooltip: { callbacks: { label: ctx => `${ctx.dataset.label}: ${Tale.pct(ctx.raw.y)}`
                  + (ctx.raw.removed ? ` removed [${ctx.raw.removed.join(', ')}]` : '') } } } } });
    } else {
      trajectoryChart.data.datasets = datasets;
      trajectoryChart.options.scales.x.max = maxX;
      trajectoryChart.update();
    }
  }

  // Accuracy to colour: dark blue (lowest of the job) through teal to yellow (highest).
  const STOPS = [[37, 52, 148], [44, 127, 184], [65, 182, 196], [161, 218, 180], [255, 237, 111]];
  function colour(v, lo, hi) {
    const f = hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 1;
    const pos = f * (STOPS.length - 1);
    const i = Math.min(STOPS.length - 2, Math.floor(pos));
    const w = pos - i;
    const rgb = STOPS[i].map((a, k) => Math.round(a + w * (STOPS[i + 1][k] - a)));
    return `rgb(${rgb.join(',')})`;
  }

  // Cells sit on whole numbers and span half a unit either side: label the whole numbers only.
  function wholeTicks(axis) {
    const ticks = [];
    for (let v = Math.ceil(axis.min); v <= Math.floor(axis.max); v++) ticks.push({ value: v });
    axis.ticks = ticks;
  }

  function drawHeatmap(h) {
    const values = h.cells.map(c => c.accuracy);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const layers = h.numLayers ?? (Math.max(0, ...h.cells.map(c => c.layer)) + 1);
    const rounds = Math.max(1, h.rounds.length);
    const data = h.cells.map(c => ({ x: c.layer, y: c.round, v: c.accuracy, winner: c.winner, accepted: c.accepted,
      dropped: c.dropped, examples: c.examples }));
    // A square point of radius r is sqrt(2) r wide: size each to fill its cell.
    const radius = ctx => {
      const area = ctx.chart.chartArea;
      if (!area) return 4;
      return 0.92 * Math.min(area.width / layers, area.height / rounds) / Math.SQRT2;
    };
    const dataset = { label: 'accuracy', data, pointStyle: 'rect', radius, hoverRadius: radius,
      backgroundColor: ctx => colour(ctx.raw.v, lo, hi),
      borderColor: ctx => ctx.raw.winner ? '#111827' : 'rgba(0,0,0,0)',
      borderWidth: ctx => ctx.raw.accepted ? 3 : (ctx.raw.winner ? 1.5 : 0) };
    const minRound = Math.min(...h.rounds, 1);
    const maxRound = Math.max(...h.rounds, 1);
    if (!heatmapChart) {
      heatmapChart = new Chart(document.getElementById('heatmap'), {
        type: 'scatter', data: { datasets: [dataset] }, options: {
          animation: false, maintainAspectRatio: false,
          scales: { x: { title: { display: true, text: 'layer' }, min: -0.5, max: layers - 0.5, afterBuildTicks: wholeTicks },
                    y: { title: { display: true, text: 'round' }, min: minRound - 0.5, max: maxRound + 0.5, reverse: true,
                         afterBuildTicks: wholeTicks } },
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: ctx =>
                `round ${ctx.raw.y}, layer ${ctx.raw.x}: ${Tale.pct(ctx.raw.v)} on ${ctx.raw.examples} examples`
                + (ctx.raw.accepted ? ' (removed)' : ctx.raw.winner ? ' (best, below the floor)' : '')
                + (ctx.raw.dropped ? ' (dropped by racing)' : '') } } } } });
    } else {
      heatmapChart.data.datasets = [dataset];
      heatmapChart.options.scales.x.max = layers - 0.5;
      heatmapChart.options.scales.y.min = minRound - 0.5;
      heatmapChart.options.scales.y.max = maxRound + 0.5;
      heatmapChart.update();
    }
    const scale = document.getElementById('heatmap-scale');
    const bar = Tale.el('i');
    bar.style.background = `linear-gradient(to right, ${STOPS.map(s => `rgb(${s.join(',')})`).join(',')})`;
    scale.replaceChildren(Tale.el('span', values.length ? Tale.pct(lo) : ''), bar, Tale.el('span', values.length ? Tale.pct(hi) : ''));
  }

  Tale.every(1000, async () => {
    const [job, trajectory, heatmap] = await Promise.all([
      Tale.api(jobPath), Tale.api(jobPath + '/trajectory'), Tale.api(jobPath + '/heatmap')]);
    showJob(job);
    drawTrajectory(trajectory);
    drawHeatmap(heatmap);
    const ended = ENDED.includes(job.state);
    Tale.status(ended ? '' : 'live: refreshing every second');
    // Marks the page as drawn for a finished job (browser tests wait for it).
    document.body.dataset.drawn = ended ? 'final' : 'live';
    return !ended;
  });
})();
