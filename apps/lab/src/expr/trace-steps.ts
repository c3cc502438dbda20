/**
 * viz's traceBackward writes the chain-rule account of a backward pass as text, one line per gate
 * input: `1. MultiplyGate f = q · z (multiply switches): ∂f/∂q = z = -4; upstream 1 → ∂L/∂q = -4 × 1 = -4`,
 * plus `↳ gradients add at the branch: …` lines where a value fans out. The stepper shows, at each
 * backward step, the lines of that step's gate; this splits the account by gate node name.
 * (viz exports no structured form of the trace: see apps/lab/README.md.)
 */
export interface TraceSteps {
  /** The first line: the pass, the loss and its seed. */
  header: string;
  /** Each gate node's account: its head (`1. MultiplyGate f = q · z (multiply switches)`) and one line per input, plus the branch sums it completes. */
  byNode: Map<string, { head: string; lines: string[] }>;
  /** The closing list of the inputs' and parameters' gradients. */
  summary: string[];
}

const HEAD = /^(\d+)\. \S+ ('[^']*'|[^\s:=]+)[ :]/;

export function splitTrace(trace: string): TraceSteps {
  const lines = trace.split('\n').filter((l) => l.length > 0);
  const byNode = new Map<string, { head: string; lines: string[] }>();
  const summary: string[] = [];
  let current: string | undefined;
  let inSummary = false;
  for (const line of lines.slice(1)) {
    if (line.startsWith('Gradients of the inputs')) inSummary = true;
    if (inSummary) {
      summary.push(line);
      continue;
    }
    const head = HEAD.exec(line);
    // Every input's line repeats the gate's head; it ends at the first '): ' (the pattern's closing parenthesis).
    const split = head ? line.indexOf('): ') : -1;
    if (head && split > 0) {
      current = head[2].replace(/^'(.*)'$/, '$1');
      const entry = byNode.get(current) ?? { head: line.slice(0, split + 1), lines: [] };
      entry.lines.push(line.slice(split + 3));
      byNode.set(current, entry);
    } else if (current !== undefined) byNode.get(current)?.lines.push(line.trim());
  }
  return { header: lines[0] ?? '', byNode, summary };
}
