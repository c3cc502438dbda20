import { BroadcastPlan, broadcastShapes, ShapeError } from '../src';

describe('broadcasting', () => {
  test('numpy rules', () => {
    expect(broadcastShapes([2, 3], [3])).toEqual([2, 3]);
    expect(broadcastShapes([], [4, 1])).toEqual([4, 1]);
    expect(broadcastShapes([4, 1], [1, 5])).toEqual([4, 5]);
    expect(broadcastShapes([2, 1, 3], [4, 1])).toEqual([2, 4, 3]);
    expect(() => broadcastShapes([2, 3], [2], 'node q (AddGate)')).toThrow(ShapeError);
    expect(() => broadcastShapes([2, 3], [2], 'node q (AddGate)')).toThrow(/node q \(AddGate\): shapes \[2, 3\] and \[2\] do not broadcast/);
  });

  test('index maps read the right source element', () => {
    const plan = BroadcastPlan.for(undefined, [2, 1], [3], 'test');
    expect(plan.outShape).toEqual([2, 3]);
    expect(Array.from(plan.aIndex)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(plan.bIndex)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(plan.identity).toBe(false);
    expect(BroadcastPlan.for(plan, [2, 1], [3], 'test')).toBe(plan);
    expect(BroadcastPlan.for(undefined, [2], [2], 'test').identity).toBe(true);
  });

  test('reduction sums over broadcast axes', () => {
    const plan = BroadcastPlan.for(undefined, [2, 1], [3], 'test');
    const g = new Float64Array([1, 2, 3, 4, 5, 6]);
    const da = new Float64Array(2);
    const db = new Float64Array(3);
    plan.reduceToA(g, da);
    plan.reduceToB(g, db);
    expect(Array.from(da)).toEqual([6, 15]);
    expect(Array.from(db)).toEqual([5, 7, 9]);
    const toScalar = BroadcastPlan.for(undefined, [2, 3], [], 'test');
    const s = new Float64Array(1);
    toScalar.reduceToB(g, s);
    expect(s[0]).toBe(21);
  });
});
