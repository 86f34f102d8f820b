// The bad-input catalogue (tests/bad-inputs/*.json) through the Node door:
// the same rejections, with the record, line, column, value and reason the
// CLI prints, and the error code of the CLI's exit code.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { Dataset } = require('claimscope')

const REPO = process.env.CLAIMSCOPE_REPO || path.join(__dirname, '..', '..')
const DIR = path.join(REPO, 'tests', 'bad-inputs')
const CASES = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')))
// The CLI's exit codes and the error codes that mean the same.
const CODES = { 2: ['period', 'argument'], 3: ['input', 'mapping'] }

const fileBytes = (text) => text.startsWith('UTF16LE:')
  ? Buffer.from(text.slice('UTF16LE:'.length), 'utf16le')
  : Buffer.from(text, 'utf8')
const errorText = (e) => [e.message, ...(e.errors || []).map((r) =>
  `record ${r.record} (line ${r.line}), column ${r.column}: '${r.value}' ${r.reason}`)].join('\n')

async function attempt (c) {
  const ds = new Dataset()
  if (c.kind === 'file') {
    const mapping = c.profile === null ? undefined : JSON.stringify(c.profile)
    await ds.load(c.table, fileBytes(c.file), { mapping, name: `${c.name}.csv` })
  } else if (c.kind === 'period') {
    await ds.loadDemo()
    await ds.report(null, c.label)
  } else {
    await ds.loadDemo()
    await ds.report(null, '2025', { stopLossContract: c.contract })
  }
}

test('the catalogue has at least 60 cases', () => assert.ok(CASES.length >= 60, `${CASES.length}`))

for (const c of CASES) {
  test(`bad input ${c.name}`, async () => {
    if (c.expect.exit === 0) return attempt(c)
    await assert.rejects(attempt(c), (e) => {
      assert.ok(CODES[c.expect.exit].includes(e.code), `code ${e.code} for exit ${c.expect.exit}`)
      assert.ok(errorText(e).includes(c.expect.error), `${errorText(e)}\n  does not contain\n${c.expect.error}`)
      return true
    })
  })
}
