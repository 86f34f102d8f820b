//! Enrollment given as member eligibility spans (data-model.md, enrollments'
//! optional shape): one row per member and coverage span. The report turns
//! them into monthly member and employee counts (`crate::rules::eligibility`).

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Date32Array, StringArray};
use datafusion::arrow::record_batch::RecordBatch;

use super::columns::{CellError, CellResult, Columns};
use super::{kept, RowContext, TableRows};
use crate::model::dates::{from_days, CellDate};
use crate::model::error::Result;
use crate::model::table::Table;
use crate::source::Record;

#[derive(Default)]
pub(crate) struct SpanRows {
    client_id: Vec<String>,
    member_id: Vec<String>,
    subscriber_id: Vec<String>,
    start: Vec<CellDate>,
    end: Vec<CellDate>,
    end_raw: Vec<String>,
}

impl TableRows for SpanRows {
    const WANTED: &'static [&'static str] = &["client_id", "member_id", "subscriber_id", "start_date", "end_date"];

    fn check_columns(cols: &Columns) -> Result<()> {
        Self::WANTED.iter().try_for_each(|c| cols.require(c))
    }

    fn push(&mut self, cols: &Columns, rec: &Record, _ctx: &mut RowContext) -> CellResult<()> {
        let client = cols.text_required(rec, "client_id")?;
        let member = cols.text_required(rec, "member_id")?;
        let subscriber = cols.text_required(rec, "subscriber_id")?;
        let start = cols.date_required(rec, "start_date")?;
        let end_raw = cols.raw(rec, "end_date").unwrap_or("").to_string();
        if end_raw.trim().is_empty() {
            return Err(Columns::cell_error(
                "end_date",
                &end_raw,
                "is blank; a span needs the last day of coverage (an open span has no month to stop counting)",
            ));
        }
        let end = cols.date_required(rec, "end_date")?;
        self.client_id.push(client);
        self.member_id.push(member);
        self.subscriber_id.push(subscriber);
        self.start.push(start);
        self.end.push(end);
        self.end_raw.push(end_raw);
        Ok(())
    }

    fn date_columns(&self) -> Vec<(&'static str, &[CellDate])> {
        vec![("start_date", &self.start), ("end_date", &self.end)]
    }

    fn check_resolved(&self, i: usize, days: &[Vec<i32>]) -> Option<CellError> {
        let (start, end) = (*days.first()?.get(i)?, *days.get(1)?.get(i)?);
        (end < start).then(|| {
            Columns::cell_error(
                "end_date",
                self.end_raw.get(i).map_or("", String::as_str),
                format!("is before start_date {}; a span ends on or after its start", from_days(start)),
            )
        })
    }

    fn finish(self, days: Vec<Vec<i32>>, keep: &[bool]) -> Result<(Vec<(Table, RecordBatch)>, u64)> {
        let mut days = days.into_iter();
        let (start, end) = (days.next().unwrap_or_default(), days.next().unwrap_or_default());
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(kept(self.client_id, keep))),
            Arc::new(StringArray::from(kept(self.member_id, keep))),
            Arc::new(StringArray::from(kept(self.subscriber_id, keep))),
            Arc::new(Date32Array::from(kept(start, keep))),
            Arc::new(Date32Array::from(kept(end, keep))),
        ];
        Ok((vec![(Table::EligibilitySpans, RecordBatch::try_new(Table::EligibilitySpans.schema(), columns)?)], 0))
    }
}
