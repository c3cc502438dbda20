import { readFileSync } from 'fs';
import { join } from 'path';
import { tour } from '../src/tour';

test('the README tour runs and gives the numbers its comments state', () => {
  expect(tour.product).toBe(-10);
  expect([tour.dx, tour.dy]).toEqual([5, -2]);
  expect(tour.f).toBe(-12);
  expect(tour.grads).toEqual([-4, -4, 3]);
  expect(tour.gradcheckError).toBeLessThan(1e-7);
});

test('the README shows the tour exactly as examples/src/tour.ts runs it', () => {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const source = readFileSync(join(__dirname, '../src/tour.ts'), 'utf8');
  const body = source.slice(0, source.indexOf('\nexport const tour')).trimEnd();
  expect(readme).toContain('```ts\n' + body + '\n```');
});
