// Error classes named as in torch.onnx.errors, plus the two input errors of onnxify.
//
// Every error thrown by exportOnnx is an OnnxExporterError carrying
//   .status  the C status number (include/onnxify.h, onnxify_status)
//   .name    the status name from onnxify_status_name(): "GraphDescriptionError", ...
// Statuses without a class of their own (OutOfMemoryError, CancelledError,
// InternalError) are plain OnnxExporterErrors whose .name is that status name.

export class OnnxExporterError extends Error {
  constructor(message, status = 6, name = 'OnnxExporterError') {
    super(message);
    this.status = status;
    this.name = name;
  }
}

export class InvalidArgumentError extends OnnxExporterError {
  constructor(message, status = 1) {
    super(message, status, 'InvalidArgumentError');
  }
}

export class GraphDescriptionError extends OnnxExporterError {
  constructor(message, status = 2) {
    super(message, status, 'GraphDescriptionError');
  }
}

export class UnsupportedOperatorError extends OnnxExporterError {
  constructor(message, status = 3) {
    super(message, status, 'UnsupportedOperatorError');
  }
}

export class SymbolicValueError extends OnnxExporterError {
  constructor(message, status = 4) {
    super(message, status, 'SymbolicValueError');
  }
}

export class CheckerError extends OnnxExporterError {
  constructor(message, status = 5) {
    super(message, status, 'CheckerError');
  }
}

// onnxify_status numbers, as in include/onnxify.h.
export const Status = Object.freeze({
  OK: 0,
  INVALID_ARGUMENT: 1,
  GRAPH_DESCRIPTION: 2,
  UNSUPPORTED_OPERATOR: 3,
  SYMBOLIC_VALUE: 4,
  CHECKER: 5,
  EXPORTER: 6,
  OUT_OF_MEMORY: 7,
  CANCELLED: 8,
  INTERNAL: 9,
});

const CLASS_BY_NAME = {
  InvalidArgumentError,
  GraphDescriptionError,
  UnsupportedOperatorError,
  SymbolicValueError,
  CheckerError,
};

// The one helper that turns a C status (+ its name from onnxify_status_name and the
// text of onnxify_last_error) into a named JS error.
export function errorFromStatus(status, statusName, message) {
  const Class = CLASS_BY_NAME[statusName];
  if (Class) return new Class(message, status);
  return new OnnxExporterError(message, status, statusName || 'OnnxExporterError');
}
