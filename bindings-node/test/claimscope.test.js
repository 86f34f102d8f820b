// The Node door against the shared golden files, run against the installed
// npm package (CLAIMSCOPE_REPO points at the repository for the data).
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { Dataset, reconcile, reconcileText, reportFiles } = require('claimscope')

const REPO = process.env.CLAIMSCOPE_REPO || path.join(__dirname, '..', '..')
const GOLDEN = path.join(REPO, 'tests', 'golden')
const CASES_DIR = path.join(GOLDEN, 'cases')
// One manifest a case: input files by table, the complete options, the expected report.
const CASES = fs.readdirSync(CASES_DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ ...JSON.parse(fs.readFileSync(path.join(CASES_DIR, f), 'utf8')), name: f.slice(0, -'.json'.length) }))
const CASE = Object.fromEntries(CASES.map((c) => [c.name, c]))
const caseFiles = (c) => c.files.map((f) => [f.table, path.join(CASES_DIR, f.path)])
const expected = (name) => fs.readFileSync(path.join(CASES_DIR, CASE[name].expected), 'utf8')
const camel = (k) => k.replace(/_([a-z])/g, (_, x) => x.toUpperCase())
// The options document with Node's camelCase keys (nulls left out: the engine's defaults).
// The completion options are a typed object in Node, so their keys are camelCase too.
const camelKeys = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]))
const opts = (c) => Object.fromEntries(Object.entries(c.options).filter(([, v]) => v !== null)
  .map(([k, v]) => [camel(k), k === 'completion' && typeof v === 'object' ? camelKeys(v) : v]))
const loadBuffers = async (ds, c) => {
  for (const [table, p] of caseFiles(c)) await ds.load(table, fs.readFileSync(p), { name: path.basename(p) })
}

for (const c of CASES) {
  test(`golden ${c.name} from paths`, async () => {
    const cwd = process.cwd()
    try {
      const ds = new Dataset()
      for (const [table, p] of caseFiles(c)) {
        // Loaded under its bare name, so lineage is the same in every door.
        process.chdir(path.dirname(p))
        await ds.load(table, path.basename(p))
      }
      assert.strictEqual(await ds.reportJson(c.client, c.period, opts(c)), expected(c.name))
    } finally {
      process.chdir(cwd)
    }
  })
  test(`golden ${c.name} from Buffers`, async () => {
    const ds = new Dataset()
    await loadBuffers(ds, c)
    assert.strictEqual(await ds.reportJson(c.client, c.period, opts(c)), expected(c.name))
    const doc = await ds.report(c.client, c.period, opts(c))
    assert.deepStrictEqual(doc, JSON.parse(expected(c.name)))
  })
}

test('a stop-loss contract given as an object gives the golden bytes', async () => {
  const c = CASE['contract-2025-privacy']
  const ds = new Dataset()
  await loadBuffers(ds, c)
  const o = opts(c)
  assert.strictEqual(await ds.reportJson(c.client, c.period, o), expected(c.name))
  o.stopLossContract = JSON.stringify(o.stopLossContract)
  assert.strictEqual(await ds.reportJson(c.client, c.period, o), expected(c.name))
  await assert.rejects(ds.reportJson(c.client, c.period, { stopLossContract: { start_month: '2025-13', specific_deductible: 1 } }),
    (e) => e.code === 'argument' && /start_month/.test(e.message))
})

test('concurrent reports on one Dataset are correct', async () => {
  const ds = new Dataset()
  await ds.loadDemo()
  const results = await Promise.all([1, 2, 3, 4].map(() => ds.reportJson(null, '2025')))
  for (const r of results) assert.strictEqual(r, expected('sample-2025'))
})

test('a large load does not block the event loop', async () => {
  const rows = ['client_id,claimant_id,claim_date,medical_amount']
  for (let i = 0; i < 150000; i++) rows.push(`A,P${i % 5000},2025-0${1 + (i % 9)}-1${i % 10},${(i % 997) + 0.25}`)
  const csv = Buffer.from(rows.join('\n'))
  let ticks = 0
  const timer = setInterval(() => { ticks++ }, 5)
  const ds = new Dataset()
  const summary = await ds.load('claims', csv, { name: 'big.csv' })
  clearInterval(timer)
  assert.strictEqual(summary.records_accepted, 150000)
  assert.ok(ticks > 0, 'the timer never ticked during the load')
})

test('errors carry code, record, column, value and reason', async () => {
  const bad = Buffer.from('client_id,claimant_id,claim_date,medical_amount\nA,P1,2025-01-02,1.00\nA,P2,2025-02-30,2.00\n')
  await assert.rejects(new Dataset().load('claims', bad, { name: 't.csv' }), (e) => {
    assert.ok(e instanceof Error)
    assert.strictEqual(e.code, 'input')
    assert.deepStrictEqual([e.record, e.line, e.column, e.value], [2, 3, 'claim_date', '2025-02-30'])
    assert.match(e.reason, /day 30/)
    assert.strictEqual(e.errors.length, 1)
    return true
  })
  const lenient = await new Dataset().load('claims', bad, { lenient: true })
  assert.deepStrictEqual([lenient.records_read, lenient.records_accepted, lenient.records_rejected], [2, 1, 1])
  const ds = new Dataset()
  await ds.loadDemo()
  await assert.rejects(ds.report(null, '2025-13'), (e) => e.code === 'period' && e.label === '2025-13')
  await assert.rejects(ds.report('NOPE', '2025'), (e) => e.code === 'argument')
})

test('sql resolves to Arrow IPC bytes', async () => {
  const ds = new Dataset()
  await ds.loadDemo()
  const bytes = await ds.sql('SELECT COUNT(*) AS n FROM claims')
  assert.ok(Buffer.isBuffer(bytes))
  assert.deepStrictEqual([...bytes.subarray(0, 4)], [0xff, 0xff, 0xff, 0xff])
})

test('typed Arrow IPC claims (date32, decimal128) give the golden report and the file\'s sha256', async () => {
  const c = CASE['basic-2025-Q1']
  const ipc = fs.readFileSync(path.join(REPO, 'tests', 'data', 'typed', 'basic-claims.arrow'))
  const ds = new Dataset()
  for (const [table, p] of caseFiles(c)) {
    const data = table === 'claims' ? ipc : fs.readFileSync(p)
    await ds.load(table, data, { name: path.basename(p) })
  }
  const { lineage, ...doc } = await ds.report(c.client, c.period, opts(c))
  const { lineage: _, ...want } = JSON.parse(expected('basic-2025-Q1'))
  assert.deepStrictEqual(doc, want)
  const sha = require('node:crypto').createHash('sha256').update(ipc).digest('hex')
  assert.strictEqual(lineage.find((l) => l.table === 'claims').sha256, sha)
})

test('the example server answers a real HTTP request with the golden report', async () => {
  const { createServer } = require(path.join(REPO, 'bindings-node', 'examples', 'node-server', 'server.js'))
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const files = {}
    const names = {}
    for (const [table, p] of caseFiles(CASE['basic-2025-Q1'])) {
      files[table] = fs.readFileSync(p, 'utf8')
      names[table] = path.basename(p)
    }
    const { port } = server.address()
    const res = await fetch(`http://127.0.0.1:${port}/report`, {
      method: 'POST',
      body: JSON.stringify({ client: 'ACME', period: '2025-Q1', files, names }),
    })
    assert.strictEqual(res.status, 200)
    assert.strictEqual(await res.text(), expected('basic-2025-Q1'))
    const bad = await fetch(`http://127.0.0.1:${port}/report`, { method: 'POST', body: JSON.stringify({ period: '2025-13', files }) })
    assert.strictEqual(bad.status, 400)
  } finally {
    server.close()
  }
})

test('the ESM entry exports the same API', async () => {
  const m = await import('claimscope')
  assert.strictEqual(typeof m.Dataset, 'function')
  assert.strictEqual(typeof m.suggestMapping, 'function')
  assert.strictEqual(typeof m.reconcile, 'function')
  assert.strictEqual(typeof m.reconcileText, 'function')
  assert.strictEqual(typeof m.exportFiles, 'function')
  assert.strictEqual(typeof m.clusterSupport, 'function')
})

test('reportHtml and reportPdf print the recorded bytes of every door', async () => {
  const crypto = require('node:crypto')
  const recorded = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'print', 'sample-2025.json'), 'utf8'))
  const sha = (data) => crypto.createHash('sha256').update(data).digest('hex')
  const ds = new Dataset()
  await ds.loadDemo()
  const html = await ds.reportHtml(null, '2025')
  assert.strictEqual(typeof html, 'string')
  assert.strictEqual(sha(Buffer.from(html, 'utf8')), recorded.html_letter_sha256)
  const pdf = await ds.reportPdf(null, '2025')
  assert.ok(Buffer.isBuffer(pdf) && pdf.subarray(0, 5).toString() === '%PDF-')
  assert.strictEqual(sha(pdf), recorded.pdf_letter_sha256)
  const a4 = await ds.reportPdf(null, '2025', null, { paper: 'a4', runDate: '2026-01-15' })
  assert.strictEqual(sha(a4), recorded.pdf_a4_run_date_2026_01_15_sha256)
  await assert.rejects(ds.reportPdf(null, '2025', null, { paper: 'legal' }), /paper 'legal' is not known/)
})

const RECON_CASES = path.join(REPO, 'tests', 'reconcile', 'cases')
const RECON_CASE = JSON.parse(fs.readFileSync(path.join(RECON_CASES, 'pos-small.json'), 'utf8'))
const reconFile = (key) => path.join(RECON_CASES, RECON_CASE[key])

test('every golden reconciliation case (preset or rules file, rule or probabilistic mode)', async () => {
  const manifests = fs.readdirSync(RECON_CASES).filter((f) => f.endsWith('.json'))
  assert.ok(manifests.length >= 2)
  for (const name of manifests) {
    const c = JSON.parse(fs.readFileSync(path.join(RECON_CASES, name), 'utf8'))
    const file = (key) => path.join(RECON_CASES, c[key])
    const options = c.preset ? { preset: c.preset } : { rules: fs.readFileSync(file('rules'), 'utf8') }
    const json = await reconcileText(fs.readFileSync(file('left')), fs.readFileSync(file('right')), options)
    assert.strictEqual(json, fs.readFileSync(file('expected'), 'utf8'), name)
  }
})

test('reconcileText from Buffers is the golden JSON; reconcile gives the object', async () => {
  const left = fs.readFileSync(reconFile('left'))
  const right = fs.readFileSync(reconFile('right'))
  const json = await reconcileText(left, right, { preset: RECON_CASE.preset })
  assert.strictEqual(json, fs.readFileSync(reconFile('expected'), 'utf8'))
  // Worked by hand in core/tests/reconcile.rs: T1/R1 0.8627 and T2/R2 0.9214 match.
  const r = await reconcile(reconFile('left'), reconFile('right'), { preset: RECON_CASE.preset })
  assert.deepStrictEqual(r.matched.map((m) => [m.left.id, m.right.id, m.score]), [['T1', 'R1', 0.8627], ['T2', 'R2', 0.9214]])
  assert.match(r.unmatched_left[0].why, /^closest right record 3: date: right is 8 days later/)
  const csv = await reconcileText(left, right, { preset: 'pos-rewards', format: 'csv' })
  assert.strictEqual(csv.split('\n')[3].slice(0, 16), 'unmatched_left,3')
})

test('reconcile takes rules as an object, renames headers and rejects bad rows with their record', async () => {
  const left = Buffer.from('Claimant,Expected\nC1,100.00\nC2,oops\n')
  const right = Buffer.from('claimant_id,amount\nC1,100.50\n')
  const rules = { keys: [{ left: 'claimant_id', right: 'claimant_id' }], amount: { left: 'expected_amount', right: 'amount', tolerance: '1.00' } }
  const mapping = { left: { Claimant: 'claimant_id', Expected: 'expected_amount' } }
  await assert.rejects(reconcile(left, right, { rules, mapping }), (e) => e.code === 'input' && e.record === 2 && e.column === 'expected_amount')
  const r = await reconcile(left, right, { rules, mapping, lenient: true })
  assert.strictEqual(r.matched[0].score, 0.75)
  assert.strictEqual(r.summary.rejected_left, 1)
  await assert.rejects(reconcile(left, right, {}), (e) => e.code === 'argument')
})

// The declared document types against what the engine serialises: every key
// the JSON has is declared, and every key declared as required is there.
function declaredKeys (name) {
  const text = fs.readFileSync(path.join(REPO, 'bindings-node', 'types.d.ts'), 'utf8')
  const start = text.indexOf(`export interface ${name} `)
  assert.ok(start >= 0, `types.d.ts declares no ${name}`)
  const body = text.slice(text.indexOf('{', start) + 1)
  const keys = { required: [], optional: [] }
  let depth = 0
  for (let i = 0; i < body.length && depth >= 0; i++) {
    const ch = body[i]
    if ('{<(['.includes(ch)) depth++
    else if ('}>)]'.includes(ch)) depth--
    else if (depth === 0) {
      const m = /^([a-z_][a-z0-9_]*)(\??):/.exec(body.slice(i))
      if (m && !/[a-z0-9_]/.test(body[i - 1])) {
        keys[m[2] ? 'optional' : 'required'].push(m[1])
        i += m[0].length - 1
      }
    }
  }
  return keys
}

function assertDeclared (name, object) {
  const { required, optional } = declaredKeys(name)
  const actual = Object.keys(object)
  assert.deepStrictEqual(actual.filter((k) => !required.includes(k) && !optional.includes(k)), [], `${name}: keys not declared`)
  assert.deepStrictEqual(required.filter((k) => !actual.includes(k)), [], `${name}: declared keys missing`)
}

test('types.d.ts declares the documents the engine writes', async () => {
  const report = JSON.parse(expected('contract-2025-12-15'))
  assertDeclared('Report', report)
  assertDeclared('StopLossSection', report.stop_loss)
  const ds = new Dataset()
  const summary = await ds.load('claims', Buffer.from('client_id,claimant_id,claim_date,medical_amount\nA,P1,2025-01-02,1.00\nA,P2,2025-02-30,2.00\n'), { lenient: true })
  assertDeclared('LoadSummary', summary)
  assertDeclared('RowError', summary.errors[0])
  const recon = await reconcile(reconFile('left'), reconFile('right'), { preset: RECON_CASE.preset })
  assertDeclared('Reconciliation', recon)
  const error = await ds.reportJson('A', '2025-13').catch((e) => e)
  const fields = Object.fromEntries(Object.keys(error).filter((k) => !['message', 'stack'].includes(k)).map((k) => [k, error[k]]))
  assertDeclared('ClaimscopeError', fields)
  assert.strictEqual(error.label, '2025-13')
})

test('reportDefaults are the engine defaults', () => {
  const { reportDefaults } = require('claimscope')
  const d = reportDefaults()
  assert.strictEqual(d.hcc_threshold, '50000.00')
  assert.strictEqual(d.top_n, 10)
  assert.strictEqual(d.basis, 'incurred')
})


test('the same bytes loaded twice are warned on the load and in the report', async () => {
  // 100.25 + 20.50 = 120.75 once; the same bytes twice count 241.50.
  const csv = Buffer.from('client_id,claimant_id,claim_date,medical_amount,pharmacy_amount\nA,P1,2025-01-02,100.25,0\nA,P2,2025-01-03,0,20.50\n')
  const ds = new Dataset()
  assert.deepStrictEqual((await ds.load('claims', csv, { name: 'a.csv' })).warnings, [])
  const second = await ds.load('claims', csv, { name: 'b.csv' })
  assert.ok(second.warnings.some((w) => w.includes('their rows now count twice')), second.warnings.join('\n'))
  const doc = await ds.report('A', '2025-01')
  assert.strictEqual(doc.summary.gross_claims, 241.5)
  // sha256 of the bytes above, as coreutils' sha256sum prints it.
  assert.deepStrictEqual(doc.warnings.filter((w) => w.code === 'source_loaded_twice'), [{
    code: 'source_loaded_twice',
    message: 'claims: the same bytes (sha256 d795aab8a8766e7bec8d776abbae52d211be5893ea20510e3f290b1744a85360) were loaded 2 times (a.csv, b.csv); their rows count 2 times in every figure'
  }])
})

for (const c of CASES) {
  test(`golden ${c.name} from reportFiles (claims folded while read)`, async () => {
    const folders = new Set(caseFiles(c).map(([, p]) => path.dirname(p)))
    if (folders.size !== 1) return
    const cwd = process.cwd()
    try {
      process.chdir([...folders][0])
      const key = { budgets: 'budgets', enrollments: 'enrollment', admin_fees: 'adminFees', rebates: 'rebates', stop_loss_reimbursements: 'stopLoss' }
      const files = { claims: [] }
      for (const [table, p] of caseFiles(c)) {
        if (table === 'claims') files.claims.push(path.basename(p))
        else files[key[table]] = path.basename(p)
      }
      const { report, summaries } = await reportFiles(files, c.client, c.period, opts(c))
      assert.strictEqual(report, expected(c.name))
      assert.deepStrictEqual(summaries.map((s) => s.table).sort(), caseFiles(c).map(([t]) => t).sort())
    } finally {
      process.chdir(cwd)
    }
  })
}
