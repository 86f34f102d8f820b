// Measures the preview page on a large plan in headless Chromium: load time
// of each picked file, report time, and the module's memory. Not a test.
//   node benches/browser.mjs PLAN_DIR PERIOD   (after bindings-wasm/build.sh and npm ci there)
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.join(here, '..', 'bindings-wasm')
const { chromium } = createRequire(path.join(root, 'package.json'))('playwright-core')
const [plan, period] = process.argv.slice(2)
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' }
const server = http.createServer((req, res) => {
  const file = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname))
  if (!file.startsWith(root) || !fs.existsSync(file)) return res.writeHead(404).end()
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' })
  fs.createReadStream(file).pipe(res)
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
})
const page = await browser.newPage()
await page.goto(`http://127.0.0.1:${server.address().port}/www/index.html`)
await page.waitForSelector('body[data-ready="true"]')
const files = ['claims.csv', 'budgets.csv', 'enrollment.csv', 'admin_fees.csv', 'rebates.csv', 'stop_loss.csv'].map((f) => path.join(plan, f)).filter((f) => fs.existsSync(f))
const lines = fs.readFileSync(path.join(plan, 'claims.csv')).toString('latin1').split('\n').length - 2
let t = Date.now()
await page.setInputFiles('#files', files)
await page.waitForSelector('#run:not([disabled])', { timeout: 600000 })
const load = (Date.now() - t) / 1000
await page.fill('#period', period)
t = Date.now()
await page.click('#run')
await page.waitForSelector('#result:not([hidden])', { timeout: 600000 })
const report = (Date.now() - t) / 1000
const memory = await page.evaluate(() => window.claimscopeMemoryBytes())
console.log(JSON.stringify({ claim_lines: lines, claims_mib: +(fs.statSync(files[0]).size / 2 ** 20).toFixed(1), load_s: load, report_s: report, wasm_memory_mib: +(memory / 2 ** 20).toFixed(0), status: await page.textContent('#status') }))
await browser.close()
server.close()
