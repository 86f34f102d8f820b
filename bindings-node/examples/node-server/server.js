// A plain Node http server that reports on uploaded plan files, the way a
// Next.js API route would use the package. POST /report with a JSON body:
//   { "client": "ACME", "period": "2025-Q1", "basis": "incurred",
//     "files": { "claims": "<csv text>", "budgets": "...", "enrollments": "...",
//                "admin_fees": "...", "rebates": "...", "stop_loss_reimbursements": "..." },
//     "names": { "claims": "claims.csv", ... } }
// answers the report JSON (byte-identical to the CLI's), or 400/422 with the error.
const http = require('node:http')
const { Dataset } = require('claimscope')

const ORDER = ['claims', 'budgets', 'enrollments', 'admin_fees', 'rebates', 'stop_loss_reimbursements']
const STATUS = { input: 422, mapping: 422, period: 400, argument: 400, io: 400, engine: 500 }

async function report(body) {
  const ds = new Dataset()
  for (const table of ORDER) {
    const csv = body.files && body.files[table]
    if (csv) await ds.load(table, Buffer.from(csv, 'utf8'), { name: (body.names && body.names[table]) || `${table}.csv` })
  }
  return ds.reportJson(body.client ?? null, body.period, { basis: body.basis, hccThreshold: body.hccThreshold })
}

function createServer() {
  return http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/report') {
      res.writeHead(404).end()
      return
    }
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      try {
        const json = await report(JSON.parse(Buffer.concat(chunks).toString('utf8')))
        res.writeHead(200, { 'content-type': 'application/json' }).end(json)
      } catch (e) {
        const status = STATUS[e.code] || 400
        res.writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ code: e.code || 'bad_request', message: e.message, record: e.record ?? null, column: e.column ?? null, reason: e.reason ?? null }))
      }
    })
  })
}

module.exports = { createServer }

if (require.main === module) {
  const port = Number(process.env.PORT || 3000)
  createServer().listen(port, '127.0.0.1', () => console.log(`claimscope report server on http://127.0.0.1:${port}/report`))
}
