//! Tables across the Arrow PyCapsule interface, without copying: batches
//! leave as an `ArrowArrayStream` capsule (`__arrow_c_stream__`) and arrive
//! from any object that offers one (pyarrow, polars, pandas).

use std::ffi::CStr;

use claimscope::arrow::array::{RecordBatch, RecordBatchIterator};
use claimscope::arrow::datatypes::SchemaRef;
use claimscope::arrow::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::errors::ArgumentError;

const STREAM: &CStr = c"arrow_array_stream";

/// Batches handed to Python; pyarrow and polars read them through
/// `__arrow_c_stream__` (the buffers are shared, not copied).
#[pyclass(name = "_ArrowTable", module = "claimscope._claimscope", frozen)]
pub(crate) struct PyArrowTable {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

#[pymethods]
impl PyArrowTable {
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        // The schema is fixed by the engine; a requested schema is not applied.
        let _ = requested_schema;
        let reader = RecordBatchIterator::new(self.batches.clone().into_iter().map(Ok), self.schema.clone());
        PyCapsule::new_with_value(py, FFI_ArrowArrayStream::new(Box::new(reader)), STREAM)
    }
}

/// Reads every batch of an object offering `__arrow_c_stream__`.
pub(crate) fn import_stream(source: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    if !source.hasattr("__arrow_c_stream__")? {
        return Err(ArgumentError::new_err(
            "the source offers no __arrow_c_stream__ (pyarrow, polars or pandas tables do)",
        ));
    }
    let capsule = source.call_method0("__arrow_c_stream__")?;
    let capsule = capsule
        .cast_into::<PyCapsule>()
        .map_err(|_| ArgumentError::new_err("__arrow_c_stream__ did not return a capsule"))?;
    let pointer = capsule.pointer_checked(Some(STREAM))?;
    // SAFETY: the capsule is a live ArrowArrayStream named per the Arrow
    // PyCapsule interface; from_raw moves the stream out and marks it released.
    #[allow(unsafe_code)]
    let reader = unsafe { ArrowArrayStreamReader::from_raw(pointer.as_ptr().cast::<FFI_ArrowArrayStream>()) }
        .map_err(|e| ArgumentError::new_err(format!("not a readable Arrow stream: {e}")))?;
    reader.collect::<Result<Vec<_>, _>>().map_err(|e| ArgumentError::new_err(format!("the Arrow stream failed: {e}")))
}
