// A require hook for the peer-process test: lets a forked Node process run the benchmark's
// TypeScript sources directly, as jest does in the parent (transpile-only with the project's
// compiler options; @chainrule/* resolved to the packages' sources, as jest's moduleNameMapper does).
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const Module = require('module');
const path = require('path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..', '..', '..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@chainrule\/(core|gates|optim|viz|onnx|eager)(\/node)?$/.exec(request);
  return resolve.call(this, m ? path.join(root, 'packages', m[1], 'src', m[2] ? 'node.ts' : 'index.ts') : request, ...rest);
};
const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true };
// Transpiled files are cached on disk by content hash: every forked job loads the same few hundred files.
const cache = path.join(os.tmpdir(), `chainrule-bench-ts-${ts.version}`);
fs.mkdirSync(cache, { recursive: true });
require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const cached = path.join(cache, crypto.createHash('sha1').update(filename).update('\0').update(source).digest('hex') + '.js');
  let js;
  try {
    js = fs.readFileSync(cached, 'utf8');
  } catch {
    js = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
    fs.writeFileSync(`${cached}.${process.pid}`, js);
    fs.renameSync(`${cached}.${process.pid}`, cached); // atomic: concurrent children never read half a file
  }
  module._compile(js, filename);
};
require('reflect-metadata');
