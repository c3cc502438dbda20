/** One jest run over every workspace; @chainrule/* resolve to their TypeScript sources, so no build is needed first. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/benchmarks', '<rootDir>/tests', '<rootDir>/apps'],
  testMatch: ['**/test/**/*.test.ts', '<rootDir>/tests/*.test.ts'],
  setupFiles: ['<rootDir>/jest.setup.js'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  moduleNameMapper: {
    '^@chainrule/(core|gates|optim|viz|onnx|eager)$': '<rootDir>/packages/$1/src/index.ts',
    '^@chainrule/core/node$': '<rootDir>/packages/core/src/node.ts',
    '^@chainrule/viz/node$': '<rootDir>/packages/viz/src/node.ts',
    '^@chainrule/onnx/node$': '<rootDir>/packages/onnx/src/node.ts',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
