// Type-checked with `tsc --noEmit` against the installed package's index.d.ts.
import { Dataset, suggestMapping, reconcile, reconcileText, reportFiles, exportFiles, clusterSupport, type ExportSummary, type FilesReport, type LoadSummary, type Report, type MappingProfile, type Reconciliation } from 'claimscope'

async function main(): Promise<void> {
  const ds = new Dataset()
  const summary: LoadSummary = await ds.load('claims', 'claims.csv', { lenient: true, clientId: 'ACME' })
  const n: number = summary.records_read
  const report: Report = await ds.report('ACME', '2025-Q1', { basis: 'paid', hccThreshold: '25000', topN: 5 })
  const label: string = report.period.label
  const json: string = await ds.reportJson(null, '2025', {
    stopLossContract: { start_month: '2025-01', basis: '12/15', specific_deductible: 100000 },
    eligibilityCounting: 'mid_month', pseudonymizeKey: 'k', minCell: 11, employerFacing: true, specificDeductible: '100000',
  })
  const outstanding: number | undefined = report.stop_loss?.specific.outstanding
  const ipc: Buffer = await ds.sql('SELECT 1')
  const html: string = await ds.reportHtml(null, '2025', null, { paper: 'a4', runDate: '2026-01-15' })
  const pdf: Buffer = await ds.reportPdf('ACME', '2025', { basis: 'paid' })
  const profile: MappingProfile = suggestMapping(['Member ID'], [['M1']], 'claims')
  const recon: Reconciliation = await reconcile('left.csv', Buffer.from('a\n1\n'), { preset: 'stop-loss', lenient: true, rightName: 'r.csv' })
  const why: string | undefined = recon.unmatched_left[0]?.why
  const csv: string = await reconcileText('l.csv', 'r.csv', { rules: { amount: { left: 'a', right: 'a', tolerance: '1.00' } }, format: 'csv' })
  const files: FilesReport = await reportFiles({ claims: ['claims.csv'], stopLoss: 'stop_loss.csv', lenient: true }, 'ACME', '2025', { topN: 5 })
  const rejected: number = files.summaries[0].records_rejected
  const exported: ExportSummary = await ds.exportParquetDir('plan')
  const streamed = await exportFiles({ claims: ['claims.csv'] }, 'plan2', 'ACME')
  const back: LoadSummary[] = await new Dataset().loadParquetDir('plan', { lenient: true })
  const cluster = new Dataset()
  if (clusterSupport()) await cluster.useCluster('df://127.0.0.1:50050', 'plan')
  console.log(exported.files.length, streamed.loadSummaries.length, back.length)
  console.log(n, label, json.length, ipc.length, html.length, pdf.length, profile.table, outstanding, why, csv.length, files.report.length, rejected)
}
void main
