// The bad-input catalogue (tests/bad-inputs/*.json) through the WebAssembly
// module: the same rejections, with the record, line, column, value and
// reason the CLI prints, and the error code of the CLI's exit code. Labels
// and contracts report on the bundled sample plan's files.
import test from 'node:test'
import assert from 'node:assert'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { initSync, Dataset } from '../pkg/claimscope_wasm.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const REPO = process.env.CLAIMSCOPE_REPO || path.join(here, '..', '..')
const DIR = path.join(REPO, 'tests', 'bad-inputs')
const SAMPLE = path.join(REPO, 'core', 'data', 'sample')
const CASES = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')))
const CODES = { 2: ['period', 'argument'], 3: ['input', 'mapping'] }

initSync({ module: fs.readFileSync(path.join(here, '..', 'pkg', 'claimscope_wasm_bg.wasm')) })

const fileBytes = (text) => new Uint8Array(text.startsWith('UTF16LE:')
  ? Buffer.from(text.slice('UTF16LE:'.length), 'utf16le')
  : Buffer.from(text, 'utf8'))
const errorText = (e) => [e.message, ...(e.errors || []).map((r) =>
  `record ${r.record} (line ${r.line}), column ${r.column}: '${r.value}' ${r.reason}`)].join('\n')

function sample () {
  const ds = new Dataset()
  for (const [table, file] of [['claims', 'claims.csv'], ['budgets', 'budgets.csv'], ['enrollments', 'enrollment.csv']]) {
    ds.loadCsv(table, new Uint8Array(fs.readFileSync(path.join(SAMPLE, file))), undefined, file)
  }
  return ds
}

function attempt (c) {
  if (c.kind === 'file') {
    const mapping = c.profile === null ? undefined : JSON.stringify(c.profile)
    new Dataset().loadCsv(c.table, fileBytes(c.file), mapping, `${c.name}.csv`)
  } else if (c.kind === 'period') {
    sample().reportJson(null, c.label, '{}')
  } else {
    sample().reportJson(null, '2025', JSON.stringify({ stop_loss_contract: c.contract }))
  }
}

test('the catalogue has at least 60 cases', () => assert.ok(CASES.length >= 60, `${CASES.length}`))

for (const c of CASES) {
  test(`bad input ${c.name} through the wasm module`, () => {
    if (c.expect.exit === 0) return attempt(c)
    assert.throws(() => attempt(c), (e) => {
      assert.ok(CODES[c.expect.exit].includes(e.code), `code ${e.code} for exit ${c.expect.exit}`)
      assert.ok(errorText(e).includes(c.expect.error), `${errorText(e)}\n  does not contain\n${c.expect.error}`)
      return true
    })
  })
}
