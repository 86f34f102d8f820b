//! What leaves the engine is in data-model.md's types: the text columns
//! stored as dictionaries (and any dictionary of text a query makes) come
//! out of `sql` as utf8.

use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;

use crate::model::error::Result;
use crate::model::table::{is_text_dictionary, retyped};

/// `schema` with each dictionary of text as utf8.
pub(crate) fn plain_schema(schema: &Schema) -> SchemaRef {
    retyped(schema, |f| is_text_dictionary(f.data_type()).then_some(DataType::Utf8))
}

/// The batches with each dictionary of text cast to utf8 (`plain` is
/// `plain_schema` of their schema).
pub(crate) fn plain_batches(batches: Vec<RecordBatch>, plain: &SchemaRef) -> Result<Vec<RecordBatch>> {
    batches
        .into_iter()
        .map(|batch| {
            if !batch.schema().fields().iter().any(|f| is_text_dictionary(f.data_type())) {
                return Ok(batch);
            }
            let columns = batch
                .columns()
                .iter()
                .map(|c| if is_text_dictionary(c.data_type()) { cast(c, &DataType::Utf8) } else { Ok(c.clone()) })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Ok(RecordBatch::try_new(plain.clone(), columns)?)
        })
        .collect()
}
