// Adds the document types (LoadSummary, Report, ...) that the generated
// index.d.ts names but napi-rs cannot derive from serde JSON values.
const fs = require('node:fs')
const path = require('node:path')
const dts = path.join(__dirname, '..', 'index.d.ts')
const extra = fs.readFileSync(path.join(__dirname, '..', 'types.d.ts'), 'utf8')
const text = fs.readFileSync(dts, 'utf8')
if (!text.includes('export interface LoadSummary')) fs.writeFileSync(dts, text + extra)
