//! Parquet and Arrow IPC files as `ArrowBlocks`: their schema read first,
//! then only the columns the loader reads are decoded; their sha256 is the
//! file's, as for CSV (what `sha256sum` prints).

use bytes::Bytes;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::ipc::reader::{FileReader, StreamReader};

use super::{ArrowBlocks, BatchIter, Format, OpenBatches};
use crate::model::error::{Error, Result};

/// The blocks of a Parquet or Arrow IPC file's bytes (`format` not CSV).
pub(crate) fn open(format: Format, bytes: Vec<u8>, source: &str) -> Result<ArrowBlocks<'static>> {
    let sha256 = super::sha256_hex(&bytes);
    let bytes = Bytes::from(bytes);
    let (schema, open) = match format {
        Format::Parquet => parquet(bytes, source)?,
        Format::ArrowIpc => ipc(bytes, source)?,
        Format::Csv => return Err(Error::engine("a CSV file was opened as Arrow batches")),
    };
    Ok(ArrowBlocks::open(schema, open, source, Some(sha256)))
}

#[cfg(feature = "parquet")]
fn parquet(bytes: Bytes, source: &str) -> Result<(SchemaRef, OpenBatches<'static>)> {
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use datafusion::parquet::arrow::ProjectionMask;
    let unreadable = {
        let source = source.to_string();
        move |e: &dyn std::fmt::Display| Error::input_file(&source, format!("not a readable Parquet file: {e}"))
    };
    let schema = ParquetRecordBatchReaderBuilder::try_new(bytes.clone()).map_err(|e| unreadable(&e))?.schema().clone();
    let open = move |projection: Option<&[usize]>| -> Result<BatchIter<'static>> {
        let mut builder = ParquetRecordBatchReaderBuilder::try_new(bytes.clone())
            .map_err(|e| unreadable(&e))?
            .with_batch_size(super::arrow_blocks::ROWS_PER_BLOCK);
        if let Some(columns) = projection {
            let mask = ProjectionMask::roots(builder.parquet_schema(), columns.iter().copied());
            builder = builder.with_projection(mask);
        }
        let reader = builder.build().map_err(|e| unreadable(&e))?;
        let unreadable = unreadable.clone();
        Ok(Box::new(reader.map(move |batch| batch.map_err(|e| unreadable(&e)))))
    };
    Ok((schema, Box::new(open)))
}

#[cfg(not(feature = "parquet"))]
fn parquet(_bytes: Bytes, source: &str) -> Result<(SchemaRef, OpenBatches<'static>)> {
    Err(Error::argument(format!(
        "{source}: this build reads no Parquet (the claimscope crate's \"parquet\" feature is off)"
    )))
}

/// The IPC file format (Feather v2) when its footer reads, else the stream format.
fn ipc(bytes: Bytes, source: &str) -> Result<(SchemaRef, OpenBatches<'static>)> {
    let source = source.to_string();
    let (is_file, schema) = match FileReader::try_new(std::io::Cursor::new(bytes.clone()), None) {
        Ok(reader) => (true, reader.schema()),
        Err(_) => StreamReader::try_new(std::io::Cursor::new(bytes.clone()), None)
            .map(|reader| (false, reader.schema()))
            .map_err(|e| Error::input_file(&source, format!("not Arrow IPC data: {e}")))?,
    };
    let open = move |projection: Option<&[usize]>| -> Result<BatchIter<'static>> {
        let projection = projection.map(<[usize]>::to_vec);
        let cursor = std::io::Cursor::new(bytes.clone());
        let source = source.clone();
        let unreadable =
            move |e: &dyn std::fmt::Display| Error::input_file(&source, format!("not readable Arrow IPC data: {e}"));
        let batches: BatchIter<'static> = if is_file {
            let reader = FileReader::try_new(cursor, projection).map_err(|e| unreadable(&e))?;
            Box::new(reader.map(move |b| b.map_err(|e| unreadable(&e))))
        } else {
            let reader = StreamReader::try_new(cursor, projection).map_err(|e| unreadable(&e))?;
            Box::new(reader.map(move |b| b.map_err(|e| unreadable(&e))))
        };
        Ok(batches)
    };
    Ok((schema, Box::new(open)))
}
