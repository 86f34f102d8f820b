//! Cells of Arrow columns read in their own type (`TypedKind`): dates as
//! days, money as cents, refused for the reasons a text cell of the same
//! value would be, and shown as text in a rejected record's error.

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, Decimal128Type, Int16Type, Int32Type, Int64Type, Int8Type, TimeUnit,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

use crate::model::money;
use crate::source::TypedCell;

/// Days since 1970-01-01; None for a null.
pub(crate) fn days(cell: TypedCell) -> Result<Option<i32>, String> {
    let (a, row) = (cell.array, cell.row);
    if a.is_null(row) {
        return Ok(None);
    }
    const MS_A_DAY: i64 = 86_400_000;
    let (value, per_day) = match a.data_type() {
        DataType::Date32 => (a.as_primitive::<Date32Type>().value(row).into(), 1),
        DataType::Date64 => (a.as_primitive::<Date64Type>().value(row), MS_A_DAY),
        DataType::Timestamp(TimeUnit::Second, None) => (a.as_primitive::<TimestampSecondType>().value(row), 86_400),
        DataType::Timestamp(TimeUnit::Millisecond, None) => {
            (a.as_primitive::<TimestampMillisecondType>().value(row), MS_A_DAY)
        }
        DataType::Timestamp(TimeUnit::Microsecond, None) => {
            (a.as_primitive::<TimestampMicrosecondType>().value(row), MS_A_DAY * 1_000)
        }
        DataType::Timestamp(TimeUnit::Nanosecond, None) => {
            (a.as_primitive::<TimestampNanosecondType>().value(row), MS_A_DAY * 1_000_000)
        }
        other => return Err(format!("is a {other} value, not a date")),
    };
    if value.rem_euclid(per_day) != 0 {
        return Err("has a time of day; a date is expected (a timestamp at midnight reads as its date)".into());
    }
    let days = value.div_euclid(per_day);
    // Far enough for any year read (their check comes later) and for the
    // calendar arithmetic that check does.
    if days.abs() > 1_500_000 {
        return Err("is not a date of any year read (more than 4,000 years from 1970)".into());
    }
    Ok(Some(days as i32))
}

/// Cents; None for a null.
pub(crate) fn cents(cell: TypedCell) -> Result<Option<i128>, String> {
    let (a, row) = (cell.array, cell.row);
    if a.is_null(row) {
        return Ok(None);
    }
    let (unscaled, scale) = match a.data_type() {
        DataType::Decimal128(_, scale) => (a.as_primitive::<Decimal128Type>().value(row), *scale),
        DataType::Int8 => (a.as_primitive::<Int8Type>().value(row).into(), 0),
        DataType::Int16 => (a.as_primitive::<Int16Type>().value(row).into(), 0),
        DataType::Int32 => (a.as_primitive::<Int32Type>().value(row).into(), 0),
        DataType::Int64 => (a.as_primitive::<Int64Type>().value(row).into(), 0),
        DataType::UInt8 => (a.as_primitive::<UInt8Type>().value(row).into(), 0),
        DataType::UInt16 => (a.as_primitive::<UInt16Type>().value(row).into(), 0),
        DataType::UInt32 => (a.as_primitive::<UInt32Type>().value(row).into(), 0),
        DataType::UInt64 => (a.as_primitive::<UInt64Type>().value(row).into(), 0),
        other => return Err(format!("is a {other} value, not an amount")),
    };
    money::cents_at_scale(unscaled, scale).map(Some)
}

/// The value as Arrow writes it (a date ISO, a decimal with its digits).
pub(crate) fn shown(cell: TypedCell) -> String {
    if cell.array.is_null(cell.row) {
        return String::new();
    }
    match ArrayFormatter::try_new(cell.array, &FormatOptions::default()) {
        Ok(formatter) => formatter.value(cell.row).to_string(),
        Err(e) => format!("(a {} value: {e})", cell.array.data_type()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{
        ArrayRef, Date32Array, Date64Array, Decimal128Array, Int64Array, TimestampMicrosecondArray,
        TimestampSecondArray, UInt64Array,
    };

    use super::*;

    fn cell(array: &ArrayRef, row: usize) -> TypedCell<'_> {
        TypedCell { array: array.as_ref(), row }
    }

    #[test]
    fn timestamps_at_midnight_are_dates_and_others_are_refused() {
        // 2025-01-31 is day 20119 (1970-01-01 is day 0); 1969-12-31 is day -1.
        let micros: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![
            Some(20_119 * 86_400_000_000),
            Some(20_119 * 86_400_000_000 + 1),
            Some(-86_400_000_000),
            None,
        ]));
        assert_eq!(days(cell(&micros, 0)), Ok(Some(20_119)));
        assert!(days(cell(&micros, 1)).unwrap_err().contains("time of day"));
        assert_eq!(days(cell(&micros, 2)), Ok(Some(-1)));
        assert_eq!(days(cell(&micros, 3)), Ok(None));
        assert_eq!(shown(cell(&micros, 1)), "2025-01-31T00:00:00.000001");
        let seconds: ArrayRef = Arc::new(TimestampSecondArray::from(vec![i64::MAX - i64::MAX % 86_400]));
        assert!(days(cell(&seconds, 0)).is_err());
        let far: ArrayRef = Arc::new(Date32Array::from(vec![i32::MAX, i32::MIN, 20_119]));
        assert!(days(cell(&far, 0)).is_err() && days(cell(&far, 1)).is_err());
        assert_eq!(days(cell(&far, 2)), Ok(Some(20_119)));
        let millis: ArrayRef = Arc::new(Date64Array::from(vec![20_119 * 86_400_000]));
        assert_eq!(days(cell(&millis, 0)), Ok(Some(20_119)));
        let number: ArrayRef = Arc::new(Int64Array::from(vec![1]));
        assert!(days(cell(&number, 0)).is_err());
    }

    #[test]
    fn decimals_and_whole_numbers_are_cents() {
        let four: ArrayRef = Arc::new(
            Decimal128Array::from(vec![Some(12_3400), Some(12_3456), None]).with_precision_and_scale(10, 4).unwrap(),
        );
        assert_eq!(cents(cell(&four, 0)), Ok(Some(1234)));
        assert!(cents(cell(&four, 1)).unwrap_err().contains("more than 2 decimals"));
        assert_eq!(cents(cell(&four, 2)), Ok(None));
        assert_eq!(shown(cell(&four, 1)), "12.3456");
        let whole: ArrayRef = Arc::new(Int64Array::from(vec![-7]));
        assert_eq!(cents(cell(&whole, 0)), Ok(Some(-700)));
        let huge: ArrayRef = Arc::new(UInt64Array::from(vec![u64::MAX]));
        assert!(cents(cell(&huge, 0)).unwrap_err().contains("too large"));
    }
}
