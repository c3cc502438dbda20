export * from './dataset';
export * from './argmax';
export * from './one-hot';
export * from './split';
export * from './mini-batches';
export * from './standardize';
export * from './accuracy';
export * from './confusion-matrix';
