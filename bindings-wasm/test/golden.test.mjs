// The WebAssembly module in Node against the shared golden files: every
// case's report JSON byte for byte, and the reconciliation-free load errors.
import test from 'node:test'
import assert from 'node:assert'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { initSync, Dataset, version, reportDefaults } from '../pkg/claimscope_wasm.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const REPO = process.env.CLAIMSCOPE_REPO || path.join(here, '..', '..')
const GOLDEN = path.join(REPO, 'tests', 'golden')
const CASES_DIR = path.join(GOLDEN, 'cases')
// One manifest a case: input files by table, the complete options, the expected report.
const CASES = fs.readdirSync(CASES_DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ ...JSON.parse(fs.readFileSync(path.join(CASES_DIR, f), 'utf8')), name: f.slice(0, -'.json'.length) }))

initSync({ module: fs.readFileSync(path.join(here, '..', 'pkg', 'claimscope_wasm_bg.wasm')) })

for (const c of CASES) {
  test(`golden ${c.name} through the wasm module`, () => {
    const ds = new Dataset()
    for (const f of c.files) {
      const p = path.join(CASES_DIR, f.path)
      ds.loadCsv(f.table, new Uint8Array(fs.readFileSync(p)), undefined, path.basename(p))
    }
    const expected = fs.readFileSync(path.join(CASES_DIR, c.expected), 'utf8')
    // The options as JSON text and as an object (amounts are strings: exact either way).
    assert.strictEqual(ds.reportJson(c.client, c.period, JSON.stringify(c.options)), expected)
    assert.strictEqual(ds.reportJson(c.client, c.period, c.options), expected)
    assert.deepStrictEqual(ds.report(c.client, c.period, c.options), JSON.parse(expected))
  })
}

test('text input, the load summary and errors with record and column', () => {
  assert.match(version(), /^\d+\.\d+\.\d+$/)
  assert.strictEqual(JSON.parse(reportDefaults()).hcc_threshold, '50000.00')
  const ds = new Dataset()
  const summary = ds.loadCsv('budgets', 'client_id,year,month,budget_medical,budget_pharmacy,budget_admin\nA,2025,1,10.00,5.00,1.00\n', undefined, 'b.csv')
  assert.strictEqual(summary.records_accepted, 1)
  assert.throws(() => ds.loadCsv('claims', 'client_id,claimant_id,claim_date,claim_type,total_amount\nA,M1,2025-02-30,medical,5.00\n', undefined, 'c.csv'), (e) => {
    assert.strictEqual(e.code, 'input')
    assert.strictEqual(e.errors[0].record, 1)
    assert.strictEqual(e.errors[0].column, 'claim_date')
    assert.deepStrictEqual([e.record, e.line, e.column, e.value], [1, 2, 'claim_date', '2025-02-30'])
    assert.match(e.reason, /day 30 does not exist/)
    return true
  })
  assert.throws(() => ds.reportJson('A', '2025-13'), (e) => e.code === 'period')
  assert.throws(() => ds.loadCsv('nope', 'a\n1\n'), (e) => e.code === 'argument')
})

test('reconcileText gives every golden reconciliation (rule and probabilistic mode)', async () => {
  const { reconcileText } = await import('../pkg/claimscope_wasm.js')
  const cases = path.join(REPO, 'tests', 'reconcile', 'cases')
  const manifests = fs.readdirSync(cases).filter((f) => f.endsWith('.json'))
  assert.ok(manifests.length >= 2)
  for (const name of manifests) {
    const c = JSON.parse(fs.readFileSync(path.join(cases, name), 'utf8'))
    const read = (key) => fs.readFileSync(path.join(cases, c[key]))
    const rules = c.preset ? undefined : read('rules').toString('utf8')
    const json = reconcileText(new Uint8Array(read('left')), read('right').toString('utf8'), rules, c.preset ?? undefined)
    assert.strictEqual(json, read('expected').toString('utf8'), name)
  }
  assert.throws(() => reconcileText('a\n1\n', 'a\n1\n'), (e) => e.code === 'argument')
})
