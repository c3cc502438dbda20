import { Random } from '@chainrule/core';

export type DatasetName = 'spiral' | 'circles' | 'xor' | 'custom';
export const DATASETS: readonly DatasetName[] = ['spiral', 'circles', 'xor', 'custom'];

/** Labelled points in the square [-1, 1]²: x holds (x₁, x₂) pairs, y a class index per point. */
export interface Points {
  x: Float64Array;
  y: Float64Array;
  n: number;
  classes: number;
}

/** A point the user clicked: coordinates in [-1, 1]² and a class. */
export type ClickedPoint = [number, number, number];

function allocate(n: number): Points {
  return { x: new Float64Array(2 * n), y: new Float64Array(n), n, classes: 0 };
}

/** The lectures' three-arm spiral: `perClass` points per arm, radius 0 → 1, angle jittered by N(0, noise²). */
export function spiral(perClass = 100, classes = 3, noise = 0.2, seed = 0): Points {
  const rng = new Random(seed);
  const p = allocate(perClass * classes);
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < perClass; i++) {
      const row = k * perClass + i;
      const r = i / Math.max(perClass - 1, 1);
      const t = k * 4 + (4 * i) / Math.max(perClass - 1, 1) + rng.normal(0, noise);
      p.x[2 * row] = r * Math.sin(t);
      p.x[2 * row + 1] = r * Math.cos(t);
      p.y[row] = k;
    }
  }
  p.classes = classes;
  return p;
}

/** Two classes: a disc of radius 0.5 inside a ring from 0.7 to 1. */
export function circles(n = 300, seed = 0): Points {
  const rng = new Random(seed);
  const p = allocate(n);
  for (let i = 0; i < n; i++) {
    const inner = i % 2 === 0;
    const r = inner ? 0.5 * Math.sqrt(rng.uniform(0, 1)) : rng.uniform(0.7, 1);
    const t = rng.uniform(0, 2 * Math.PI);
    p.x[2 * i] = r * Math.cos(t);
    p.x[2 * i + 1] = r * Math.sin(t);
    p.y[i] = inner ? 0 : 1;
  }
  p.classes = 2;
  return p;
}

/** Two classes by the sign of x₁·x₂ (the four quadrants), points kept 0.05 off the axes. */
export function xor(n = 300, seed = 0): Points {
  const rng = new Random(seed);
  const p = allocate(n);
  for (let i = 0; i < n; i++) {
    const a = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.05, 1);
    const b = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.05, 1);
    p.x[2 * i] = a;
    p.x[2 * i + 1] = b;
    p.y[i] = a * b > 0 ? 0 : 1;
  }
  p.classes = 2;
  return p;
}

/** The user's clicked points; the number of classes is the largest class used plus one (at least 2). */
export function fromClicks(points: readonly ClickedPoint[]): Points {
  const p = allocate(points.length);
  let classes = 2;
  points.forEach(([a, b, c], i) => {
    p.x[2 * i] = a;
    p.x[2 * i + 1] = b;
    p.y[i] = c;
    classes = Math.max(classes, c + 1);
  });
  p.classes = classes;
  return p;
}

export function makePoints(name: DatasetName, clicks: readonly ClickedPoint[] = []): Points {
  switch (name) {
    case 'spiral':
      return spiral();
    case 'circles':
      return circles();
    case 'xor':
      return xor();
    case 'custom':
      return fromClicks(clicks);
  }
}
