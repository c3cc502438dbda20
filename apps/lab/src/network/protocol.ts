import { ClickedPoint, DatasetName } from './datasets';
import { LayerView, NetworkSettings } from './session';

/** Page → worker. */
export type ToWorker =
  | { type: 'init'; settings: NetworkSettings; dataset: DatasetName; points: ClickedPoint[] }
  | { type: 'run' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'inspect'; layer: string };

/** Worker → page. */
export type FromWorker =
  | { type: 'ready'; layers: string[]; x: Float64Array; y: Float64Array; classes: number; kernel: string }
  | {
      type: 'progress';
      steps: number;
      loss: number;
      accuracy: number;
      /** Milliseconds spent training since the last init. */
      trainMs: number;
      running: boolean;
      grid?: Uint8Array;
      res: number;
      health?: string;
      layer?: LayerView;
    }
  | { type: 'error'; message: string };
