import { StepInfo } from '@chainrule/optim';
import { Bar, EpochProgress } from '../src/progress';

/** A bar that records its calls. */
function recordingBar(calls: string[]): Bar {
  return {
    start: (total) => calls.push(`start ${total}`),
    update: (value, p) => calls.push(`update ${value} loss ${p.loss} acc ${p.acc} speed ${p.speed}`),
    stop: () => calls.push('stop'),
  };
}

function stepInfo(epoch: number, step: number): StepInfo {
  return { epoch, step, globalStep: step, batchSize: 10, loss: 2, accuracy: 0.5, lr: 0.1, gradNorm: NaN, seconds: 0.001, samplesPerSecond: 10000, skipped: false };
}

describe('EpochProgress: the main job\'s bar redraws by time, not per step', () => {
  test('1,000 steps within 100 ms draw the bar twice: at the start and on the last batch', () => {
    const calls: string[] = [];
    let t = 0;
    const p = new EpochProgress({ epochs: 1, batches: 1000, now: () => t, makeBar: () => recordingBar(calls) });
    for (let s = 0; s < 1000; s++) {
      t += 0.05;
      p.step(stepInfo(0, s));
    }
    p.endEpoch();
    expect(calls).toEqual(['start 1000', 'update 1000 loss 2.0000 acc 50.0% speed 10000', 'stop']);
    expect(p.draws).toBe(2);
  });

  test('at most one redraw per 100 ms of steps, and the numbers are the running means', () => {
    const calls: string[] = [];
    let t = 0;
    const p = new EpochProgress({ epochs: 2, batches: 500, now: () => t, makeBar: () => recordingBar(calls) });
    for (let e = 0; e < 2; e++) {
      for (let s = 0; s < 500; s++) {
        t += 1; // 1 ms per step: 500 ms per epoch
        p.step({ ...stepInfo(e, s), loss: s < 250 ? 3 : 1 });
      }
      p.endEpoch();
    }
    const updates = calls.filter((c) => c.startsWith('update'));
    // 500 ms per epoch: a redraw every 100 ms (5) and the last batch, per epoch; never one per step.
    expect(updates.length).toBeLessThanOrEqual(2 * 6);
    expect(updates.length).toBeGreaterThanOrEqual(2 * 4);
    expect(calls.filter((c) => c.startsWith('start'))).toHaveLength(2);
    expect(calls.filter((c) => c === 'stop')).toHaveLength(2);
    expect(updates[updates.length - 1]).toBe('update 500 loss 2.0000 acc 50.0% speed 10000');
  });

  test('a slow step rate redraws every step (each step is past the interval)', () => {
    const calls: string[] = [];
    let t = 0;
    const p = new EpochProgress({ epochs: 1, batches: 3, now: () => t, makeBar: () => recordingBar(calls) });
    for (let s = 0; s < 3; s++) {
      t += 150;
      p.step(stepInfo(0, s));
    }
    // step 0 is drawn by start(); steps 1 and 2 come 150 ms apart, past the interval, and are drawn
    expect(calls.filter((c) => c.startsWith('update')).map((c) => c.split(' ')[1])).toEqual(['2', '3']);
  });
});
