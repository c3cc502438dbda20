// inversify reads decorator metadata through the Reflect API: load the polyfill once, before any test module.
require('reflect-metadata');
