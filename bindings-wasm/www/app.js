// The preview page: reads the picked files in the page, hands them to the
// engine (WebAssembly) and shows what it returns. No figure is computed
// here; the page only formats the report's own digits.
import init, { Dataset } from '../pkg/claimscope_wasm.js'

const $ = (id) => document.getElementById(id)
const TABLES = [
  [/stop[_ -]?loss/i, 'stop_loss_reimbursements'],
  [/eligib/i, 'enrollments'],
  [/enrol/i, 'enrollments'],
  [/budget/i, 'budgets'],
  [/admin/i, 'admin_fees'],
  [/rebate/i, 'rebates'],
  [/claim/i, 'claims'],
]
let dataset = null

function tableOf (name) {
  const hit = TABLES.find(([pattern]) => pattern.test(name))
  return hit ? hit[1] : null
}

function showProblems (items) {
  $('problem-list').replaceChildren(...items.map((text) => Object.assign(document.createElement('li'), { textContent: text })))
  $('problems').hidden = items.length === 0
}

function problemsOf (file, error) {
  const rows = Array.isArray(error.errors) ? error.errors : []
  if (rows.length === 0) return [`${file}: ${error.message}`]
  return rows.map((r) => r.record ? `${file}: record ${r.record} (line ${r.line}), column ${r.column}: '${r.value}' ${r.reason}` : `${file}: ${r.reason}`)
}

async function loadFiles () {
  dataset = new Dataset()
  const problems = []
  const loaded = []
  const files = [...$('files').files].sort((a, b) => a.name.localeCompare(b.name))
  const started = performance.now()
  for (const file of files) {
    const table = tableOf(file.name)
    if (!table) {
      problems.push(`${file.name}: not loaded; its name says no table (claims, budgets, enrollment, eligibility, admin_fees, rebates, stop_loss)`)
      continue
    }
    try {
      const bytes = new Uint8Array(await file.arrayBuffer())
      const summary = dataset.loadCsv(table, bytes, undefined, file.name)
      loaded.push(`${file.name} → ${table}: ${summary.records_accepted} of ${summary.records_read} records`)
    } catch (e) {
      problems.push(...problemsOf(file.name, e))
    }
  }
  $('loaded').replaceChildren(...loaded.map((t) => Object.assign(document.createElement('li'), { textContent: t })))
  showProblems(problems)
  const clients = loaded.length ? dataset.clients() : []
  $('client').replaceChildren(...clients.map((c) => Object.assign(document.createElement('option'), { value: c, textContent: c })))
  $('run').disabled = clients.length === 0
  $('status').textContent = `loaded in ${((performance.now() - started) / 1000).toFixed(2)} s`
}

// Figures are shown as the engine formats them (view.tiles, view.monthly_rows):
// the JSON's digits with separators, never re-read through a JS float.
function kpis (view) {
  $('kpis').replaceChildren(...view.tiles.map((t) => {
    const tile = document.createElement('div')
    tile.className = 'kpi'
    tile.innerHTML = '<div class="label"></div><div class="value"></div><div class="context"></div>'
    tile.children[0].textContent = t.name
    tile.children[1].textContent = t.value
    tile.children[2].textContent = t.context
    return tile
  }))
}

function monthlyTable (view) {
  const head = document.createElement('tr')
  head.append(...view.monthly_columns.map((label) => Object.assign(document.createElement('th'), { textContent: label })))
  const rows = view.monthly_rows.map((cells) => {
    const tr = document.createElement('tr')
    tr.append(...cells.map((text) => Object.assign(document.createElement('td'), { textContent: text })))
    return tr
  })
  $('monthly').replaceChildren(head, ...rows)
}

// Monthly total cost as bars against the budget as a line, in SVG.
function chart (report, view) {
  const months = report.monthly
  const shown = (i) => view.monthly_rows[i][5] // the Total cost cell, as the engine formats it
  const width = 900; const height = 260; const pad = 48
  const values = months.flatMap((m) => [Number(m.total_cost ?? 0), Number(m.total_budget ?? 0)])
  const top = Math.max(1, ...values)
  const step = (width - 2 * pad) / Math.max(1, months.length)
  const y = (v) => height - pad - (Math.max(0, v) / top) * (height - 2 * pad)
  const bars = months.map((m, i) => `<rect x="${pad + i * step + step * 0.15}" y="${y(Number(m.total_cost ?? 0))}" width="${step * 0.7}" height="${height - pad - y(Number(m.total_cost ?? 0))}" fill="#4a78b5"><title>${m.month}: ${shown(i)}</title></rect>`)
  const points = months.map((m, i) => m.total_budget === null || m.total_budget === undefined ? null : `${pad + i * step + step / 2},${y(Number(m.total_budget))}`)
  const line = points.filter(Boolean).length > 1 ? `<polyline points="${points.filter(Boolean).join(' ')}" fill="none" stroke="#c0392b" stroke-width="2"/>` : ''
  const labels = months.map((m, i) => `<text x="${pad + i * step + step / 2}" y="${height - pad + 16}" font-size="11" text-anchor="middle">${m.month.slice(2)}</text>`)
  $('chart').innerHTML = `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Monthly total cost against budget">
    <text x="${pad}" y="18" font-size="13">Monthly total cost (bars) against budget (line), USD</text>
    ${bars.join('')}${line}${labels.join('')}</svg>`
}

function runReport () {
  try {
    const started = performance.now()
    const { json, view } = dataset.reportView($('client').value || undefined, $('period').value.trim())
    const report = JSON.parse(json)
    $('report-json').textContent = json
    $('title').textContent = `${report.client_id} — ${report.period.label} (${report.period.start} to ${report.period.end})`
    kpis(view)
    chart(report, view)
    monthlyTable(view)
    $('result').hidden = false
    showProblems([])
    $('status').textContent = `report in ${((performance.now() - started) / 1000).toFixed(2)} s`
  } catch (e) {
    $('result').hidden = true
    showProblems(problemsOf('report', e))
  }
}

const wasm = await init()
// For measurements: the bytes the module's memory has grown to.
window.claimscopeMemoryBytes = () => wasm.memory.buffer.byteLength
$('files').addEventListener('change', () => loadFiles().catch((e) => showProblems([String(e)])))
$('run').addEventListener('click', runReport)
document.body.dataset.ready = 'true'
