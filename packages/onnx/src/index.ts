export { exportOnnx, exportOnnxModel, DEFAULT_OPSET } from './export';
export type { ExportOptions } from './export';
export { registerOnnxMapping, mappingFor } from './mapping';
export type { AttributeValue, OnnxMapping, OnnxMappingContext } from './mapping';
export { OnnxExportError, OnnxImportError } from './errors';
export { onnx, IR_VERSION } from './proto';
export { importOnnx } from './import';
export type { ImportedModel, ImportOptions } from './import';
