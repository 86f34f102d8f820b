//! Arrow IPC stream bytes: how tables cross into doors that read Arrow
//! (pyarrow, Node) without a shared memory model.

use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::arrow::record_batch::RecordBatch;

use crate::model::error::Result;

/// Writes batches (all of `schema`) as one Arrow IPC stream.
pub fn to_ipc_stream(schema: &Schema, batches: &[RecordBatch]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = StreamWriter::try_new(&mut out, schema)?;
        for b in batches {
            writer.write(b)?;
        }
        writer.finish()?;
    }
    Ok(out)
}
