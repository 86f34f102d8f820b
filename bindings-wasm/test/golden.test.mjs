// The WebAssembly module in Node against the shared golden files: every
// case's report JSON byte for byte, and the reconciliation-free load errors.
import test from 'node:test'
import assert from 'node:assert'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { initSync, Dataset, version } from '../pkg/claimscope_wasm.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const REPO = process.env.CLAIMSCOPE_REPO || path.join(here, '..', '..')
const GOLDEN = path.join(REPO, 'tests', 'golden')
const FILES = [['claims', 'claims.csv'], ['budgets', 'budgets.csv'], ['enrollments', 'enrollment.csv'],
  ['admin_fees', 'admin_fees.csv'], ['rebates', 'rebates.csv'], ['stop_loss_reimbursements', 'stop_loss.csv'],
  ['enrollments', 'eligibility.csv']]
const CASES = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'cases.json'), 'utf8'))

initSync({ module: fs.readFileSync(path.join(here, '..', 'pkg', 'claimscope_wasm_bg.wasm')) })

// A case's options as the JSON document the core reads; the contract is
// spliced in as text so its numbers keep their digits.
function optionsJson (c) {
  const doc = JSON.stringify({ basis: c.basis, hcc_threshold: c.hcc_threshold, ...(c.options || {}) })
  if (!c.contract) return doc
  const contract = fs.readFileSync(path.join(GOLDEN, c.dir, c.contract), 'utf8').trim()
  return `${doc.slice(0, -1)},"stop_loss_contract":${contract}}`
}

for (const c of CASES) {
  test(`golden ${c.name} through the wasm module`, () => {
    const ds = new Dataset()
    for (const [table, file] of FILES) {
      const p = path.join(GOLDEN, c.dir, file)
      if (fs.existsSync(p)) ds.loadCsv(table, new Uint8Array(fs.readFileSync(p)), undefined, file)
    }
    const expected = fs.readFileSync(path.join(GOLDEN, 'expected', `${c.name}.json`), 'utf8')
    assert.strictEqual(ds.reportJson(c.client, c.period, optionsJson(c)), expected)
    // Options as an object too (a contract stays text: its digits must be exact).
    const options = c.contract ? optionsJson(c) : JSON.parse(optionsJson(c))
    assert.deepStrictEqual(ds.report(c.client, c.period, options), JSON.parse(expected))
  })
}

test('text input, the load summary and errors with record and column', () => {
  assert.match(version(), /^\d+\.\d+\.\d+$/)
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

test('reconcileText gives the golden reconciliation', async () => {
  const { reconcileText } = await import('../pkg/claimscope_wasm.js')
  const dir = path.join(REPO, 'tests', 'reconcile', 'pos-small')
  const read = (f) => fs.readFileSync(path.join(dir, f))
  const json = reconcileText(new Uint8Array(read('left.csv')), read('right.csv').toString('utf8'), undefined, 'pos-rewards')
  assert.strictEqual(json, read('expected.json').toString('utf8'))
  assert.throws(() => reconcileText('a\n1\n', 'a\n1\n'), (e) => e.code === 'argument')
})
