//! SQL functions the engine registers in every Dataset: `month_key(date)`
//! (YYYYMM as an integer, so months group without the datetime feature) and
//! `icd_chapter(icd_code)`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Int32Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::as_date32_array;
use datafusion::logical_expr::{create_udf, ColumnarValue, ScalarUDF, Volatility};
use datafusion::prelude::SessionContext;

use crate::model::dates::month_key_of_days;

fn month_key_udf() -> ScalarUDF {
    create_udf(
        "month_key",
        vec![DataType::Date32],
        DataType::Int32,
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| {
            let arrays = ColumnarValue::values_to_arrays(args)?;
            let days = as_date32_array(&arrays[0])?;
            let keys: Int32Array = days.iter().map(|d| d.map(month_key_of_days)).collect();
            let result: ArrayRef = Arc::new(keys);
            debug_assert_eq!(result.len(), days.len());
            Ok(ColumnarValue::Array(result))
        }),
    )
}

pub(crate) fn register(ctx: &SessionContext) {
    ctx.register_udf(month_key_udf());
    ctx.register_udf(crate::model::icd::icd_chapter_udf());
}
