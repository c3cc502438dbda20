import { decodeState, defaultState, encodeState, LabState } from '../src/url-state';

describe('state in the URL', () => {
  test('expression state round-trips', () => {
    const s: LabState = { ...defaultState(), formula: '1 / (1 + exp(-(w0*x0 + w2)))', values: { w0: 2, x0: -1, w2: [1, 2] } };
    const back = decodeState(encodeState(s));
    expect(back.mode).toBe('expression');
    expect(back.formula).toBe(s.formula);
    expect(back.values).toEqual(s.values);
  });

  test('network state round-trips, clicked points rounded to 3 decimals', () => {
    const s: LabState = {
      ...defaultState(),
      mode: 'network',
      dataset: 'custom',
      points: [
        [0.12345, -0.5, 0],
        [-0.9, 0.25, 2],
      ],
      network: { hidden: [8, 4], activation: 'tanh', optimizer: 'momentum', lr: 0.05, batchSize: 16, seed: 7 },
    };
    const back = decodeState(encodeState(s));
    expect(back.mode).toBe('network');
    expect(back.dataset).toBe('custom');
    expect(back.network).toEqual(s.network);
    expect(back.points).toEqual([
      [0.123, -0.5, 0],
      [-0.9, 0.25, 2],
    ]);
  });

  test('a linear classifier (no hidden layer) survives the trip', () => {
    const s = { ...defaultState(), mode: 'network' as const, network: { ...defaultState().network, hidden: [] } };
    expect(decodeState(encodeState(s)).network.hidden).toEqual([]);
  });

  test('malformed fields keep their defaults', () => {
    const d = defaultState();
    const back = decodeState('#mode=network&data=moons&layers=8-x&act=gelu&opt=lbfgs&lr=-1&batch=abc&v={oops&pts=1,2;3,4,5,6');
    expect(back.dataset).toBe('spiral');
    expect(back.network).toEqual(d.network);
    expect(back.points).toEqual([]);
    expect(decodeState('').formula).toBe(d.formula);
    expect(decodeState('#v={"x":"DROP","y":3}').values).toEqual({ ...d.values, y: 3 });
  });
});
