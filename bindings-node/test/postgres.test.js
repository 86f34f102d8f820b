// ds.loadPostgres against a real server: the throwaway cluster of
// tests/run-all.sh (CLAIMSCOPE_TEST_POSTGRES), a fresh database with the seed
// schema and tests/postgres/doors-fixture.sql, whose figures are worked out
// by hand in its header.
const test = require('node:test')
const assert = require('node:assert')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const crypto = require('node:crypto')
const { Dataset } = require('claimscope')

const REPO = process.env.CLAIMSCOPE_REPO || path.join(__dirname, '..', '..')
const SERVER = process.env.CLAIMSCOPE_TEST_POSTGRES
const CLIENT_A = 'aaaaaaaa-0000-4000-8000-00000000000a'

if (!SERVER && process.env.CI) throw new Error('CI runs these against a server: tests/run-all.sh sets CLAIMSCOPE_TEST_POSTGRES')

const psql = (conninfo, ...args) =>
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', conninfo, ...args], { stdio: 'pipe' })

test('a client\'s rows from PostgreSQL report as worked by hand', { skip: !SERVER && 'no CLAIMSCOPE_TEST_POSTGRES' }, async (t) => {
  const name = 'cs_node_' + crypto.randomBytes(4).toString('hex')
  psql(SERVER, '-c', `CREATE DATABASE ${name}`)
  t.after(() => psql(SERVER, '-c', `DROP DATABASE ${name}`))
  const url = SERVER.replace('dbname=postgres', `dbname=${name}`)
  psql(url, '-f', path.join(REPO, '..', 'shared', 'spec', 'seed-postgres-schema.sql'))
  psql(url, '-f', path.join(REPO, 'tests', 'postgres', 'doors-fixture.sql'))

  const ds = new Dataset()
  const read = await ds.loadPostgres(url, CLIENT_A)
  assert.deepStrictEqual(read.uploads, ['dddddddd-0000-4000-8000-00000000000d'])
  assert.strictEqual(read.summaries[0].table, 'claims')
  assert.strictEqual(read.summaries[0].records_accepted, 3)
  const report = JSON.parse(await ds.reportJson(CLIENT_A, '2025-Q1'))
  assert.strictEqual(report.client_id, CLIENT_A)
  assert.strictEqual(report.summary.gross_claims, 3650.75)
  assert.strictEqual(report.summary.claim_count, 3)
  assert.strictEqual(report.summary.stop_loss_reimbursements, 500)
  assert.strictEqual(report.summary.gross_pmpm, 121.69)

  await assert.rejects(new Dataset().loadPostgres(url, "x' OR '1'='1"), (e) => e.code === 'argument' && /is not a UUID/.test(e.message))
  const wrong = url.replace('password=claimscope-test-password', 'password=wrong')
  await assert.rejects(new Dataset().loadPostgres(wrong, CLIENT_A),
    (e) => e.code === 'database' && /password authentication failed/.test(e.message) && !/wrong/.test(e.message))
})
