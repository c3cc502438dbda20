/**
 * A character-level vanilla RNN (Karpathy's min-char-rnn) trained eagerly: h = tanh(x·Wxh + h·Whh + bh),
 * scores = h·Why + by, softmax cross-entropy against the next character, a plain loop over time
 * steps recorded on the tape, truncated backprop through time (the hidden state is detached between
 * chunks of `seqLength` characters), Adagrad with the gradient norm clipped. The text is the first
 * paragraph of Alice's Adventures in Wonderland (Lewis Carroll, 1865; public domain), shipped in
 * examples/data/alice.txt. Samples are printed as it learns.
 */
import 'reflect-metadata';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Random, Tensor } from '@chainrule/core';
import { constant, noGrad, value, Value, zeroGrad } from '@chainrule/eager';
import { Adagrad, clipGradNorm, oneHot } from '@chainrule/optim';
import { ExampleOptions, loggerFor } from './common';

export interface RnnOptions extends ExampleOptions {
  hidden?: number;
  seqLength?: number;
  iterations?: number;
  /** Print a sample every this many iterations (default iterations / 5). */
  sampleEvery?: number;
  sampleLength?: number;
  lr?: number;
}

export interface RnnResult {
  vocab: number;
  /** Mean loss per character of each chunk, in training order. */
  losses: number[];
  samples: string[];
  text: string;
}

export function readAlice(): string {
  return readFileSync(join(__dirname, '..', 'data', 'alice.txt'), 'utf8').trim();
}

class CharRNN {
  readonly Wxh: Value;
  readonly Whh: Value;
  readonly bh: Value;
  readonly Why: Value;
  readonly by: Value;

  constructor(readonly vocab: number, readonly hidden: number, rng: Random) {
    const init = (rows: number, cols: number): Value => value(rng.randn([rows, cols], { std: 0.01 }));
    this.Wxh = init(vocab, hidden);
    this.Whh = init(hidden, hidden);
    this.bh = value(Tensor.zeros([hidden]));
    this.Why = init(hidden, vocab);
    this.by = value(Tensor.zeros([vocab]));
  }

  parameters(): Value[] {
    return [this.Wxh, this.Whh, this.bh, this.Why, this.by];
  }

  /** One time step: the new hidden state and the scores for the next character. */
  step(x: Value, h: Value): { h: Value; scores: Value } {
    const next = x.matmul(this.Wxh).add(h.matmul(this.Whh)).add(this.bh).tanh();
    return { h: next, scores: next.matmul(this.Why).add(this.by) };
  }
}

/** A character as the network reads it: a [1, vocab] one-hot row. */
function charInput(index: number, size: number): Value {
  return constant(new Tensor(oneHot([index], size), [1, size]));
}

function sample(rnn: CharRNN, h0: Value, first: number, length: number, chars: string[], rng: Random): string {
  return noGrad(() => {
    let h = h0;
    let ix = first;
    let out = '';
    for (let t = 0; t < length; t++) {
      const s = rnn.step(charInput(ix, rnn.vocab), h);
      h = s.h;
      const p = s.scores.softmax().value.data;
      let u = rng.next();
      ix = p.length - 1;
      for (let i = 0; i < p.length; i++) {
        u -= p[i];
        if (u < 0) {
          ix = i;
          break;
        }
      }
      out += chars[ix];
    }
    return out;
  });
}

export function runEagerRnn(options: RnnOptions = {}): RnnResult {
  const log = loggerFor(options);
  const text = readAlice();
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  const hidden = options.hidden ?? 64;
  const seqLength = options.seqLength ?? 25;
  const iterations = options.iterations ?? 2000;
  const sampleEvery = options.sampleEvery ?? Math.max(1, Math.floor(iterations / 5));
  const rng = new Random(options.seed ?? 7);
  const rnn = new CharRNN(chars.length, hidden, rng);
  const params = rnn.parameters();
  const opt = new Adagrad(params, { lr: options.lr ?? 0.1 });
  const result: RnnResult = { vocab: chars.length, losses: [], samples: [], text };
  log(`char-RNN on ${text.length} characters of Alice (${chars.length} distinct), hidden ${hidden}, BPTT over ${seqLength} steps, ${iterations} iterations`);
  let h = constant(Tensor.zeros([1, hidden]));
  let p = 0;
  for (let it = 0; it < iterations; it++) {
    if (p + seqLength + 1 > text.length) {
      p = 0;
      h = constant(Tensor.zeros([1, hidden]));
    }
    zeroGrad(params);
    let loss: Value | undefined;
    for (let t = 0; t < seqLength; t++) {
      const s = rnn.step(charInput(index.get(text[p + t]) as number, chars.length), h);
      h = s.h;
      const l = s.scores.crossEntropy([index.get(text[p + t + 1]) as number]);
      loss = loss === undefined ? l : loss.add(l);
    }
    const total = loss as Value;
    total.backward();
    h = h.detach(); // truncated BPTT: the next chunk starts from this state as data
    clipGradNorm(params, 5);
    opt.step();
    result.losses.push(total.item() / seqLength);
    p += seqLength;
    if ((it + 1) % sampleEvery === 0 || it === 0) {
      const recent = result.losses.slice(-sampleEvery);
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      const s = sample(rnn, h, index.get(text[p]) as number, options.sampleLength ?? 120, chars, rng);
      result.samples.push(s);
      log(`iteration ${it + 1}: loss per character ${mean.toFixed(3)} (uniform guess ${Math.log(chars.length).toFixed(3)})`);
      log(`  sample: ${JSON.stringify(s)}`);
    }
  }
  return result;
}

if (require.main === module) runEagerRnn();
