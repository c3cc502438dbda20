import 'reflect-metadata';
import fc from 'fast-check';
import { ChainruleError, Random, Tensor } from '@chainrule/core';
import { accuracy, argmaxRows, confusionMatrix, ConfusionMatrix, fromOneHot, MiniBatches, oneHot, splitIndices, Standardizer, trainTestSplit } from '@chainrule/optim';

// A fixed seed keeps CI deterministic; set FC_SEED to explore other draws (fast-check prints the seed of any failure).
const params = { seed: Number(process.env.FC_SEED ?? 20261202), numRuns: 60 };

/** n rows whose features encode their row index (row i = [i, -i]), so any copy can be traced back. */
function tagged(n: number, type: 'float32' | 'float64' = 'float64') {
  const features = type === 'float32' ? new Float32Array(2 * n) : new Float64Array(2 * n);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    features[2 * i] = i;
    features[2 * i + 1] = -i;
    labels[i] = i % 3;
  }
  return { features, labels };
}

describe('oneHot and fromOneHot', () => {
  test('one 1 per row at the label, and back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }).chain((c) => fc.tuple(fc.constant(c), fc.array(fc.integer({ min: 0, max: c - 1 }), { maxLength: 40 }))), ([c, labels]) => {
        const rows = oneHot(labels, c);
        expect(rows.length).toBe(labels.length * c);
        for (let i = 0; i < labels.length; i++) {
          let sum = 0;
          for (let j = 0; j < c; j++) sum += rows[i * c + j];
          expect(sum).toBe(1);
          expect(rows[i * c + labels[i]]).toBe(1);
        }
        expect(Array.from(fromOneHot(rows, c))).toEqual(labels);
      }),
      params,
    );
  });

  test('reuses out (zeroing it) and keeps the dtype', () => {
    const out = new Float32Array(6).fill(7);
    expect(oneHot([2, 0], 3, { out })).toBe(out);
    expect(Array.from(out)).toEqual([0, 0, 1, 1, 0, 0]);
    expect(oneHot([1], 2, { dtype: 'float32' })).toBeInstanceOf(Float32Array);
  });

  test('a label outside [0, C) or not an integer is refused, naming the row, before anything is written', () => {
    const out = new Float64Array(6).fill(5);
    expect(() => oneHot([1, 3], 3, { out })).toThrow(/oneHot: label 1 is 3, expected a class index, an integer in \[0, 3\)/);
    expect(() => oneHot([0.5], 3)).toThrow(ChainruleError);
    expect(Array.from(out)).toEqual([5, 5, 5, 5, 5, 5]);
    expect(() => fromOneHot([1, 0, 0], 2)).toThrow(/3 values do not split into rows of 2 classes/);
  });
});

describe('splitIndices / trainTestSplit', () => {
  const sizes = fc.integer({ min: 2, max: 300 }).chain((n) => fc.tuple(fc.constant(n), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.integer({ min: 0, max: 1e6 })));

  test('disjoint, complete and deterministic per seed', () => {
    fc.assert(
      fc.property(sizes, ([n, f, seed]) => {
        const { train, test } = splitIndices(n, { testFraction: f, seed });
        expect(test.length).toBe(Math.min(n - 1, Math.max(1, Math.round(n * f))));
        const all = [...train, ...test].sort((a, b) => a - b);
        expect(all).toEqual(Array.from({ length: n }, (_, i) => i)); // complete, and no row twice (so disjoint)
        const again = splitIndices(n, { testFraction: f, seed });
        expect(Array.from(again.train)).toEqual(Array.from(train));
        expect(Array.from(again.test)).toEqual(Array.from(test));
      }),
      params,
    );
  });

  test('another seed gives another split', () => {
    expect(Array.from(splitIndices(100, { seed: 1 }).test)).not.toEqual(Array.from(splitIndices(100, { seed: 2 }).test));
  });

  test('trainSize draws a disjoint random subset', () => {
    const { train, test } = splitIndices(50, { testSize: 5, trainSize: 10, seed: 3 });
    expect(train.length).toBe(10);
    expect(test.length).toBe(5);
    expect(new Set([...train, ...test]).size).toBe(15);
  });

  test('trainTestSplit copies the rows the indices name, features and labels together', () => {
    fc.assert(
      fc.property(sizes, ([n, f, seed]) => {
        const data = tagged(n, 'float32');
        const { train, test, indices } = trainTestSplit(data, { testFraction: f, seed });
        expect(train.features).toBeInstanceOf(Float32Array);
        for (const [part, rows] of [[train, indices.train], [test, indices.test]] as const) {
          const expected = tagged(rows.length, 'float32');
          rows.forEach((row, r) => {
            expected.features[2 * r] = row;
            expected.features[2 * r + 1] = -row;
            expected.labels[r] = row % 3;
          });
          expect(part.features).toEqual(expected.features);
          expect(part.labels).toEqual(expected.labels);
        }
      }),
      params,
    );
  });

  test('bad sizes are refused with what was expected', () => {
    expect(() => splitIndices(1)).toThrow(/need at least 2 rows to split, got 1/);
    expect(() => splitIndices(10, { testFraction: 1 })).toThrow(/'testFraction' must be in \(0, 1\), got 1/);
    expect(() => splitIndices(10, { testSize: 10 })).toThrow(/'testSize' must be an integer in \[1, 9\]/);
    expect(() => splitIndices(10, { testSize: 2, trainSize: 9 })).toThrow(/'trainSize' must be an integer in \[1, 8\]/);
    expect(() => trainTestSplit({ features: new Float64Array(5), labels: [0, 1] })).toThrow(ChainruleError);
  });
});

describe('MiniBatches', () => {
  const setups = fc.tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 1e6 }), fc.boolean());

  test('every row exactly once per epoch, in batches of batchSize and one tail', () => {
    fc.assert(
      fc.property(setups, ([n, bs, seed, shuffle]) => {
        const batches = new MiniBatches(tagged(n), { batchSize: bs, seed, shuffle });
        for (let epoch = 0; epoch < 2; epoch++) {
          const seen: number[] = [];
          let steps = 0;
          for (const batch of batches.epoch()) {
            expect(batch.step).toBe(steps++);
            expect(batch.size).toBe(Math.min(bs, n - batch.step * bs));
            const rows = Array.from(batch.rows);
            const features = rows.flatMap((row) => [row, -row]);
            expect(Array.from(batch.features)).toEqual(features);
            expect(Array.from(batch.labels)).toEqual(rows.map((row) => row % 3));
            seen.push(...rows);
          }
          expect(steps).toBe(Math.ceil(n / bs));
          expect(seen.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
          if (!shuffle) expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
        }
      }),
      params,
    );
  });

  test('dropLast: full batches only, no row twice', () => {
    fc.assert(
      fc.property(setups.filter(([n, bs]) => n >= bs), ([n, bs, seed]) => {
        const batches = new MiniBatches(tagged(n), { batchSize: bs, seed, dropLast: true });
        const seen = new Set<number>();
        for (const batch of batches.epoch()) {
          expect(batch.size).toBe(bs);
          for (let r = 0; r < bs; r++) seen.add(batch.features[2 * r]);
        }
        expect(seen.size).toBe(Math.floor(n / bs) * bs);
      }),
      params,
    );
  });

  test('the same seed gives the same order; buffers are reused from batch to batch', () => {
    const order = (seed: number) => {
      const b = new MiniBatches(tagged(10), { batchSize: 4, seed });
      return [...b.epoch()].map((x) => Array.from(x.rows)).flat();
    };
    expect(order(5)).toEqual(order(5));
    expect(order(5)).not.toEqual(order(6));
    const b = new MiniBatches(tagged(10), { batchSize: 4, seed: 1 });
    const buffers = [...b.epoch()].map((x) => x.features);
    expect(buffers[0]).toBe(buffers[1]);
    expect(buffers[2]).not.toBe(buffers[0]); // the tail has its own
    expect(buffers[2].length).toBe(2 * 2);
    const again = [...b.epoch()].map((x) => x.features);
    expect(again[0]).toBe(buffers[0]);
  });

  test('the order is the one Random.shuffle draws (so a Trainer run resumes from rng.getState())', () => {
    const rng = new Random(9);
    const b = new MiniBatches(tagged(7), { batchSize: 3, rng });
    b.startEpoch();
    expect(Array.from(b.order)).toEqual(Array.from(new Random(9).permutation(7)));
  });

  test('bad options are refused', () => {
    expect(() => new MiniBatches(tagged(3), { batchSize: 0 })).toThrow(/'batchSize' must be an integer >= 1, got 0/);
    expect(() => new MiniBatches(tagged(3), { batchSize: 4, dropLast: true })).toThrow(/3 rows make no batch of 4 with dropLast/);
  });
});

describe('Standardizer', () => {
  const matrices = fc.tuple(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 6 })).chain(([n, w]) =>
    fc.tuple(fc.constant(w), fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: n * w, maxLength: n * w }), fc.array(fc.boolean(), { minLength: w, maxLength: w })),
  );

  test('mean 0 and std 1 per feature on the rows it was fitted on; constant features only centred', () => {
    fc.assert(
      fc.property(matrices, ([w, values, constant]) => {
        const n = values.length / w;
        const x = Float64Array.from(values, (v, i) => (constant[i % w] ? 3.5 : v));
        const s = Standardizer.fit(x, w);
        const z = s.transform(x);
        for (let j = 0; j < w; j++) {
          let mean = 0;
          for (let i = 0; i < n; i++) mean += z[i * w + j];
          mean /= n;
          let sq = 0;
          let rawSq = 0;
          for (let i = 0; i < n; i++) {
            sq += (z[i * w + j] - mean) ** 2;
            rawSq += (x[i * w + j] - s.mean[j]) ** 2;
          }
          expect(Math.abs(mean)).toBeLessThan(1e-9);
          const rawStd = Math.sqrt(rawSq / n);
          if (rawStd <= 1e-12 * Math.max(1, Math.abs(s.mean[j]))) {
            // constant (up to rounding): only centred, never divided by ~0
            expect(s.std[j]).toBe(1);
            expect(Math.sqrt(sq / n)).toBeCloseTo(rawStd, 12);
          } else expect(Math.sqrt(sq / n)).toBeCloseTo(1, 9);
          if (constant[j]) expect(sq).toBe(0);
        }
        const back = s.inverse(z);
        for (let i = 0; i < x.length; i++) expect(back[i]).toBeCloseTo(x[i], 6);
      }),
      params,
    );
  });

  test('fit on train, apply the same mean and std to test', () => {
    const train = Float64Array.from([0, 10, 2, 10, 4, 10]);
    const s = Standardizer.fit(train, 2);
    expect(Array.from(s.mean)).toEqual([2, 10]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(s.std[1]).toBe(1);
    const test = s.transform(Float32Array.from([2, 11]));
    expect(test).toBeInstanceOf(Float32Array);
    expect(Array.from(test)).toEqual([0, 1]);
    const inPlace = Float64Array.from([4, 10]);
    expect(s.transform(inPlace, inPlace)).toBe(inPlace);
    expect(() => s.transform(new Float64Array(3))).toThrow(/3 values do not make rows of 2 features/);
    expect(() => Standardizer.fit([1, NaN], 1)).toThrow(/non-finite/);
  });
});

describe('accuracy and the confusion matrix', () => {
  const pairs = fc.integer({ min: 1, max: 8 }).chain((c) =>
    fc.tuple(fc.constant(c), fc.array(fc.tuple(fc.integer({ min: 0, max: c - 1 }), fc.integer({ min: 0, max: c - 1 })), { minLength: 1, maxLength: 80 })),
  );

  test('the counts sum to n, the row sums to each class\'s support, the diagonal share is the accuracy', () => {
    fc.assert(
      fc.property(pairs, ([c, ps]) => {
        const predicted = ps.map((p) => p[0]);
        const labels = ps.map((p) => p[1]);
        const m = confusionMatrix(predicted, labels, c);
        expect(m.total).toBe(ps.length);
        const support = Array.from({ length: c }, (_, k) => labels.filter((y) => y === k).length);
        expect(m.support()).toEqual(support);
        for (let p = 0; p < c; p++) {
          const column = m.toArray().reduce((s, row) => s + row[p], 0);
          expect(column).toBe(predicted.filter((v) => v === p).length);
        }
        expect(m.accuracy).toBeCloseTo(accuracy(predicted, labels), 12);
      }),
      params,
    );
  });

  test('rows are the truth, columns the prediction; argmaxRows picks the first maximum', () => {
    const scores = Tensor.from([[0.1, 0.9], [0.8, 0.2], [0.5, 0.5]]);
    const predicted = argmaxRows(scores);
    expect(Array.from(predicted)).toEqual([1, 0, 0]);
    const m = confusionMatrix(predicted, [1, 1, 0], 2);
    expect(m.toArray()).toEqual([[1, 0], [1, 1]]);
    expect(m.at(1, 0)).toBe(1);
    expect(accuracy(predicted, [1, 1, 0])).toBeCloseTo(2 / 3, 12);
  });

  test('invalid pairs are refused and nothing is counted', () => {
    const m = new ConfusionMatrix(2);
    expect(() => m.add([0, 2], [0, 1])).toThrow(/prediction 1 is 2, expected a class index, an integer in \[0, 2\)/);
    expect(m.total).toBe(0);
    expect(() => accuracy([0], [0, 1])).toThrow(/1 predictions and 2 labels/);
  });
});
