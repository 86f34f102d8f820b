
/** One rejected record. */
export interface RowError {
  record: number; line: number; column: string; value: string; reason: string
  /** The row's primary key when it came from a database table (`claims.claim_id 5f0c...`). */
  key?: string
}

/** What `loadPostgres` read: a summary a host table, and the uploads whose rows it read. */
export interface PostgresLoad { summaries: LoadSummary[]; uploads: string[] }
/** What `reportFiles` resolves to: the report as JSON text (the CLI's bytes) and each load's summary. */
export interface FilesReport { report: string; summaries: LoadSummary[] }

/** What an export folder holds: rows per table and every file written (paths relative to the folder). */
export interface ExportSummary {
  folder: string; tables: Record<string, number>
  files: { table: string; path: string; rows: number }[]
}

/** What a load did: recordsRead = recordsAccepted + recordsRejected + recordsMoved. */
export interface LoadSummary {
  table: string; source: string; sha256: string
  records_read: number; records_accepted: number; records_rejected: number; records_moved: number
  encoding: string; delimiter: string; errors: RowError[]; warnings: string[]
}

/** A mapping profile (see the README). */
export interface MappingProfile {
  table?: string
  columns?: Record<string, string | string[]>
  date_format?: string
  date_formats?: Record<string, string>
  constants?: Record<string, string>
  value_maps?: Record<string, Record<string, string>>
  blank_as_zero?: string[]
  delimiter?: string
  encoding?: string
  confidence?: Record<string, number>
  needs_decision?: string[]
}

/** The report document of interfaces.md (numbers as JS numbers). */
export interface Report {
  schema_version: string
  engine_version: string
  client_id: string
  period: { label: string; start: string; end: string; months: string[] }
  basis: string
  options: Record<string, unknown>
  lineage: Array<{ table: string; source: string; sha256: string; records_read: number; accepted: number; rejected: number; moved: number }>
  summary: Record<string, number | null>
  prior: Record<string, number | null> | null
  trends: { gross_pmpm: number | null; net_pmpm: number | null; total_cost_pmpm: number | null }
  monthly: Array<Record<string, number | string | null>>
  service_categories: Array<Record<string, number | string | boolean | null>>
  diagnosis_groups: Array<Record<string, number | string | boolean | null>>
  top_diagnoses: Array<{ icd_code: string; layman_term: string | null; total: number; claimant_count: number }>
  high_cost_claimants: {
    threshold: number; count: number; total: number; share_of_gross: number | null; share_of_claimants: number | null
    claimants: Array<Record<string, number | string | null>>
  }
  concentration: Array<{ top_pct: number; claimants: number; share: number | null }>
  stop_loss: StopLossSection | null
  /** Present when the report was asked for completion (docs/completion.md). */
  completion?: CompletionSection
  /** Present when the report was asked for the year-end projection. */
  projection?: Record<string, unknown>
  warnings: Array<{ code: string; message: string; months?: string[] }>
  notes: string[]
}

/** The report's completion section: lag triangle, chain-ladder factors, IBNR, completed figures. */
export interface CompletionSection {
  as_of: string; valuation_month: string; method: string
  parameters: { completion_months: number; projection_months: number; trend: number; blend: boolean; tail: number }
  triangle: {
    incurred: string[]
    incremental: { medical: number[][]; pharmacy: number[][]; total: number[][] }
    cumulative: { medical: number[][]; pharmacy: number[][]; total: number[][] }
  }
  factors: Array<{
    age: number; factor: number; months_used: number; to_ultimate: number; completion_factor: number
    sigma: number; std_err: number; sigma_estimated: boolean
  }>
  months: Array<{
    month: string; age: number; paid: number; completion_factor: number; chain_ladder: number; projection: number | null
    method: string; completed: number; ibnr: number; member_months: number | null; completed_pmpm: number | null; std_err: number
  }>
  totals: { paid: number; ibnr: number; completed: number; std_err: number }
  period: Record<string, number | null>
}

/** The report's stop_loss section (a contract was given). */
export interface StopLossSection {
  contract: {
    start_month: string; end_month: string; basis: string
    incurred_start: string | null; incurred_end: string | null; paid_start: string; paid_end: string
    specific_deductible: number; lasers: Array<{ claimant_id: string; specific_deductible: number }>
    aggregate_attachment: number | null; aggregate_factor: number | null
  }
  claimants: Array<{
    claimant_id: string; eligible_total: number; deductible: number; lasered: boolean; deductible_used: number
    expected_specific: number; received: number; outstanding: number
  }>
  specific: { claimants_over_deductible: number; expected_specific: number; received: number; unlinked_received: number; outstanding: number }
  aggregate: {
    eligible_claims: number; specific_excess: number; aggregate_claims: number
    expected_claims: number | null; attachment_point: number | null; aggregate_ratio: number | null
  }
}

/** Errors thrown by claimscope carry the core error's fields. */
export interface ClaimscopeError extends Error {
  code: 'input' | 'mapping' | 'period' | 'argument' | 'engine' | 'io'
  record: number | null; line: number | null; column: string | null; value: string | null
  reason: string | null; errors: RowError[]
  /** The period label (period errors), the file (io errors), the source name (input errors); else null. */
  label: string | null; path: string | null; source: string | null
}

/** A row of a reconciliation input. */
export interface ReconcileRow { record: number; line: number; id?: string; date?: string; amount?: number }

/** One rule part of a pair: both values, the part's score, whether it passed. */
export interface ReconcileReason { rule: 'key' | 'date' | 'amount' | 'fuzzy'; columns: string; passed: boolean; score?: number; detail: string }

/** Amount totals of a reconciliation (present when the rules compare amounts). */
export interface ReconcileAmounts { matched_left: number; matched_right: number; difference: number; unmatched_left: number; unmatched_right: number }

/** A reconciliation (reconciliation.md; numbers as JS numbers, `reconcileText` for exact digits). */
export interface Reconciliation {
  engine_version: string
  rules: Record<string, unknown>
  left: LoadSummary
  right: LoadSummary
  summary: {
    left_records: number; right_records: number; matched: number; unmatched_left: number; unmatched_right: number
    rejected_left: number; rejected_right: number; match_rate_left: number | null; match_rate_right: number | null
    amounts?: ReconcileAmounts
    by_month?: Array<{ month: string; matched: number; unmatched_left: number; unmatched_right: number; amounts?: ReconcileAmounts }>
  }
  matched: Array<{
    left: ReconcileRow; right: ReconcileRow; score: number
    amount_difference?: number; date_difference_days?: number; reasons: ReconcileReason[]
  }>
  unmatched_left: Array<{ row: ReconcileRow; why: string; near_miss?: { row: ReconcileRow; score: number; reasons: ReconcileReason[] } }>
  unmatched_right: Array<{ row: ReconcileRow; why: string; near_miss?: { row: ReconcileRow; score: number; reasons: ReconcileReason[] } }>
}
