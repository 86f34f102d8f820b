// Export folders of Parquet partitions and reports on a Ballista cluster from
// Node: the golden reports come back (lineage aside, which names the Parquet
// files). The cluster tests need a package built with the `cluster` feature
// and a loopback cluster (tests/run-all.sh starts one where the Ballista
// binaries are cached: CLAIMSCOPE_TEST_BALLISTA=df://host:port).
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Dataset, exportFiles, clusterSupport } = require('claimscope')

const REPO = process.env.CLAIMSCOPE_REPO || path.join(__dirname, '..', '..')
const GOLDEN = path.join(REPO, 'tests', 'golden')
const CASES_DIR = path.join(GOLDEN, 'cases')
const CASES = fs.readdirSync(CASES_DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ ...JSON.parse(fs.readFileSync(path.join(CASES_DIR, f), 'utf8')), name: f.slice(0, -'.json'.length) }))
const BALLISTA = process.env.CLAIMSCOPE_TEST_BALLISTA
const camel = (k) => k.replace(/_([a-z])/g, (_, x) => x.toUpperCase())
const camelKeys = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]))
const opts = (c) => Object.fromEntries(Object.entries(c.options).filter(([, v]) => v !== null)
  .map(([k, v]) => [camel(k), k === 'completion' && typeof v === 'object' ? camelKeys(v) : v]))
const withoutLineage = (text) => { const d = JSON.parse(text); delete d.lineage; return d }
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'claimscope-node-parquet-'))
const goldenDataset = async (c) => {
  const ds = new Dataset()
  for (const f of c.files) await ds.load(f.table, path.join(CASES_DIR, f.path))
  return ds
}
const expected = (c) => fs.readFileSync(path.join(CASES_DIR, c.expected), 'utf8')

for (const c of CASES) {
  test(`golden ${c.name} through an export folder`, async () => {
    const dir = tempDir()
    try {
      const summary = await (await goldenDataset(c)).exportParquetDir(path.join(dir, 'export'))
      assert.ok(summary.files.length > 0)
      const back = new Dataset()
      const loads = await back.loadParquetDir(path.join(dir, 'export'))
      const rows = Object.values(summary.tables).reduce((a, b) => a + b, 0)
      assert.strictEqual(loads.reduce((a, s) => a + s.records_accepted, 0), rows)
      const report = await back.reportJson(c.client, c.period, opts(c))
      assert.deepStrictEqual(withoutLineage(report), withoutLineage(expected(c)))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
}

test('exportFiles streams claims into client and month partitions', async () => {
  const dir = tempDir()
  try {
    const basic = path.join(GOLDEN, 'basic')
    const out = path.join(dir, 'plan')
    const result = await exportFiles({ claims: [path.join(basic, 'claims.csv')], rebates: path.join(basic, 'rebates.csv') }, out, null)
    // tests/golden/basic/claims.csv: 13 claim lines of ACME and OTHER.
    assert.strictEqual(result.tables.claims, 13)
    assert.ok(result.files.some((f) => f.path === 'claims/client=OTHER/month=2025-01/part-0.parquet'))
    assert.deepStrictEqual(result.loadSummaries.map((s) => s.table), ['claims', 'rebates'])
    const again = await exportFiles({ claims: [path.join(basic, 'claims.csv')] }, out, null).catch((e) => e)
    assert.match(again.message, /not empty/)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('useCluster without cluster support says how to build it', { skip: clusterSupport() && 'this build has cluster support' }, async () => {
  const dir = tempDir()
  try {
    const demo = new Dataset()
    await demo.loadDemo()
    await demo.exportParquetDir(dir)
    const error = await new Dataset().useCluster('df://127.0.0.1:50050', dir).catch((e) => e)
    assert.match(error.message, /--features cluster/)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

for (const c of CASES) {
  test(`golden ${c.name} on the loopback cluster`, { skip: !(clusterSupport() && BALLISTA) && 'needs cluster support and CLAIMSCOPE_TEST_BALLISTA' }, async () => {
    const dir = tempDir()
    try {
      await (await goldenDataset(c)).exportParquetDir(path.join(dir, 'export'))
      const ds = new Dataset()
      await ds.useCluster(BALLISTA, path.join(dir, 'export'))
      const report = await ds.reportJson(c.client, c.period, opts(c))
      assert.deepStrictEqual(withoutLineage(report), withoutLineage(expected(c)))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
}
