// The preview page in a real headless Chromium (Debian's, driven by
// playwright-core): the sample plan's files go through the file input, the
// report JSON the page shows must equal the golden file byte for byte.
import test from 'node:test'
import assert from 'node:assert'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.join(here, '..')
const REPO = process.env.CLAIMSCOPE_REPO || path.join(root, '..')
const SAMPLE = path.join(REPO, 'core', 'data', 'sample')
const SHOTS = process.env.CLAIMSCOPE_SCREENSHOTS || path.join(REPO, 'target', 'wasm')
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' }

// Serves bindings-wasm/ (www/ and pkg/) on 127.0.0.1.
function serve () {
  const server = http.createServer((req, res) => {
    const file = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname))
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' })
    fs.createReadStream(file).pipe(res)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

async function openPage (server) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  })
  const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } })
  const requests = []
  page.on('request', (r) => requests.push(r.url()))
  await page.goto(`http://127.0.0.1:${server.address().port}/www/index.html`)
  await page.waitForSelector('body[data-ready="true"]')
  return { browser, page, requests }
}

test('the sample plan reports in the page with the golden bytes, nothing leaves it', async () => {
  const server = await serve()
  const { browser, page, requests } = await openPage(server)
  try {
    const files = fs.readdirSync(SAMPLE).filter((f) => f.endsWith('.csv')).map((f) => path.join(SAMPLE, f))
    await page.setInputFiles('#files', files)
    await page.waitForSelector('#run:not([disabled])')
    await page.fill('#period', '2025')
    await page.click('#run')
    await page.waitForSelector('#result:not([hidden])')
    const shown = await page.textContent('#report-json')
    const golden = fs.readFileSync(path.join(REPO, 'tests', 'golden', 'expected', 'sample-2025.json'), 'utf8')
    assert.strictEqual(shown, golden)
    // Header, 12 months and the Period row.
    assert.strictEqual(await page.locator('#monthly tr').count(), 14)
    // Figures are the JSON's digits, grouped by the engine: gross claims of
    // the golden report, with separators put in here by hand.
    const gross = golden.slice(golden.indexOf('"summary": {')).match(/"gross_claims": (-?\d+\.\d{2})/)[1]
    const [int, cents] = gross.split('.')
    const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
    assert.strictEqual(await page.textContent('.kpi:first-child .value'), `$${grouped}.${cents}`)
    fs.mkdirSync(SHOTS, { recursive: true })
    await page.evaluate(() => { document.querySelector('details').open = true })
    await page.screenshot({ path: path.join(SHOTS, 'preview-sample-2025.png'), fullPage: true })
    // Only the page's own files were requested: no data went anywhere.
    const port = server.address().port
    assert.ok(requests.every((u) => u.startsWith(`http://127.0.0.1:${port}/`)), requests.join('\n'))
  } finally {
    await browser.close()
    server.close()
  }
})

test('rejected rows are listed with record, column and reason', async () => {
  const server = await serve()
  const { browser, page } = await openPage(server)
  try {
    await page.setInputFiles('#files', [{
      name: 'claims.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('client_id,claimant_id,claim_date,claim_type,total_amount\nA,M1,2025-01-05,medical,12.00\nA,M2,2025-02-30,medical,5.00\n'),
    }])
    await page.waitForSelector('#problems:not([hidden])')
    const text = await page.textContent('#problem-list')
    assert.match(text, /claims\.csv: record 2 \(line 3\), column claim_date: '2025-02-30' is not a date/)
  } finally {
    await browser.close()
    server.close()
  }
})
