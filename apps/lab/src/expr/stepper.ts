/**
 * The slide sequence of a pass as a state machine: forward through the gates in topological
 * order, then backward through them in reverse, one gate per step. The graph itself has already
 * run both passes (its numbers are the truth); the stepper only says how much of them the page
 * shows, so stepping back is as cheap as stepping forward.
 */

export interface StepGraph {
  /** Gate node names in topological order. */
  gates: readonly string[];
  /** For every gate node, the names of the nodes it reads. */
  inputsOf: ReadonlyMap<string, readonly string[]>;
  /** The output node. */
  output: string;
}

export interface Step {
  phase: 'forward' | 'backward';
  node: string;
}

export class Stepper {
  readonly steps: readonly Step[];
  private pos = 0;
  private readonly forwardIndex = new Map<string, number>();
  private readonly backwardIndex = new Map<string, number>();
  private readonly consumers = new Map<string, string[]>();

  constructor(private readonly shape: StepGraph) {
    const forward = shape.gates.map((node): Step => ({ phase: 'forward', node }));
    const backward = [...shape.gates].reverse().map((node): Step => ({ phase: 'backward', node }));
    this.steps = [...forward, ...backward];
    this.steps.forEach((s, i) => (s.phase === 'forward' ? this.forwardIndex : this.backwardIndex).set(s.node, i));
    for (const gate of shape.gates) {
      for (const input of shape.inputsOf.get(gate) ?? []) {
        const list = this.consumers.get(input) ?? [];
        list.push(gate);
        this.consumers.set(input, list);
      }
    }
  }

  /** Steps taken: 0 before the forward pass, steps.length once backward is complete. */
  get position(): number {
    return this.pos;
  }

  /** The step just taken (what the page highlights), or undefined at the start. */
  get current(): Step | undefined {
    return this.pos === 0 ? undefined : this.steps[this.pos - 1];
  }

  get forwardDone(): boolean {
    return this.pos >= this.shape.gates.length;
  }

  get done(): boolean {
    return this.pos === this.steps.length;
  }

  next(): boolean {
    if (this.done) return false;
    this.pos++;
    return true;
  }

  back(): boolean {
    if (this.pos === 0) return false;
    this.pos--;
    return true;
  }

  reset(): void {
    this.pos = 0;
  }

  /** The whole forward pass (and no backward). */
  runForward(): void {
    this.pos = this.shape.gates.length;
  }

  /** Both passes. */
  runBackward(): void {
    this.pos = this.steps.length;
  }

  /** Whether a node's forward value is known yet (inputs and constants always are). */
  valueShown(node: string): boolean {
    const i = this.forwardIndex.get(node);
    return i === undefined || i < this.pos;
  }

  /** Whether the gradient a gate sent back along its input wires is known yet. */
  sentBack(gate: string): boolean {
    const i = this.backwardIndex.get(gate);
    return i !== undefined && i < this.pos;
  }

  /** Whether a node's whole gradient is known: the output once backward starts, others once every consumer has sent its share. */
  gradShown(node: string): boolean {
    if (node === this.shape.output) return this.pos > this.shape.gates.length;
    const users = this.consumers.get(node);
    return users !== undefined && users.length > 0 && users.every((g) => this.sentBack(g));
  }

  /** The gates that read `node`, in topological order (more than one where it fans out). */
  consumersOf(node: string): readonly string[] {
    return this.consumers.get(node) ?? [];
  }
}
