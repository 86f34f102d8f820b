//! Member and employee months of a client: its monthly enrollment rows, or,
//! when it has none, the counts derived from its eligibility spans.

use std::collections::BTreeMap;

use super::common::warning;
use super::document::{Warning, WarningCode};
use super::query::{count, first_day_literal, lit, run};
use crate::dataset::Dataset;
use crate::model::error::Result;
use crate::model::period::{month_key, MonthIndex};
use crate::rules::eligibility::{monthly_counts, EligibilityCounting, Span};

/// Where the counts came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnrollmentSource {
    Rows,
    Spans,
}

pub(crate) struct Enrollment {
    /// (members, employees) of each month that has a row or counted members.
    pub by_month: BTreeMap<MonthIndex, (i64, i64)>,
    pub source: EnrollmentSource,
    pub warnings: Vec<Warning>,
}

pub(crate) fn enrollment(
    ds: &Dataset,
    client: &str,
    first: MonthIndex,
    last: MonthIndex,
    counting: EligibilityCounting,
) -> Result<Enrollment> {
    let c = lit(client);
    let rows = count(ds, &format!("SELECT COUNT(*) FROM enrollments WHERE client_id = {c}"))?;
    let spans = count(ds, &format!("SELECT COUNT(*) FROM eligibility_spans WHERE client_id = {c}"))?;
    let mut by_month = BTreeMap::new();
    let mut warnings = Vec::new();
    if rows > 0 || spans == 0 {
        if spans > 0 {
            warnings.push(warning(
                WarningCode::EligibilitySpansIgnored,
                format!("client {client} has both monthly enrollment rows and {spans} eligibility spans; the monthly rows are used"),
                None,
            ));
        }
        let (k1, k2) = (month_key(first), month_key(last));
        run(
            ds,
            &format!(
                "SELECT year * 100 + month, SUM(member_count), SUM(employee_count) \
             FROM enrollments WHERE client_id = {c} AND year * 100 + month BETWEEN {k1} AND {k2} GROUP BY 1"
            ),
        )?
        .each(|r| {
            by_month.insert(r.month(0)?, (r.count(1)?, r.count(2)?));
            Ok(())
        })?;
        return Ok(Enrollment { by_month, source: EnrollmentSource::Rows, warnings });
    }
    let mut list = Vec::new();
    run(
        ds,
        &format!(
            "SELECT member_id, subscriber_id, CAST(start_date AS INT), CAST(end_date AS INT) FROM eligibility_spans \
         WHERE client_id = {c} AND start_date < {} AND end_date >= {}",
            first_day_literal(last + 1),
            first_day_literal(first)
        ),
    )?
    .each(|r| {
        list.push(Span {
            member_id: r.text(0)?.unwrap_or_default(),
            subscriber_id: r.text(1)?.unwrap_or_default(),
            start: r.int(2)?.unwrap_or_default() as i32,
            end: r.int(3)?.unwrap_or_default() as i32,
        });
        Ok(())
    })?;
    by_month = monthly_counts(&list, first, last, counting);
    Ok(Enrollment { by_month, source: EnrollmentSource::Spans, warnings })
}
