/**
 * A scoped limit on how many tensor values may be allocated, for code that builds objects from
 * untrusted sizes (loading a saved graph builds gates from the file's options): the allocation that
 * would pass the limit throws before it happens, so neither the memory nor the random
 * initialisation that follows is spent. Outside `withAllocationBudget` nothing is counted.
 */

interface Budget {
  left: number;
  readonly refuse: (requested: number, left: number) => Error;
}

let active: Budget | undefined;

/** Runs `fn` allowing at most `limit` values to be allocated by `allocate` (tensors, Random draws); nests (the innermost limit applies, and is charged to the outer ones). */
export function withAllocationBudget<T>(limit: number, refuse: (requested: number, left: number) => Error, fn: () => T): T {
  const outer = active;
  const budget: Budget = { left: outer === undefined ? limit : Math.min(limit, outer.left), refuse };
  active = budget;
  try {
    return fn();
  } finally {
    active = outer;
    if (outer !== undefined) outer.left -= Math.min(limit, outer.left) - budget.left;
  }
}

/** Called by `allocate` before it allocates `size` values: throws the active budget's error when they do not fit. */
export function chargeAllocation(size: number): void {
  if (active === undefined) return;
  if (!(size <= active.left)) throw active.refuse(size, active.left);
  active.left -= size;
}
