// ESM entry: the same native module as the CommonJS entry.
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const native = require('./index.js')
export const { Dataset, suggestMapping, reconcile, reconcileText, reportFiles, exportFiles, clusterSupport } = native
export default native
