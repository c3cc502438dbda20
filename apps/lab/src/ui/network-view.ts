import { ClickedPoint, DatasetName, DATASETS } from '../network/datasets';
import { FromWorker, ToWorker } from '../network/protocol';
import { ACTIVATIONS, NetworkSettings, OPTIMIZERS } from '../network/session';
import { downloadSvg } from './download';
import { boundarySvg, layerSvg, lossSvg } from './plots';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const LIM = 1.1;
const SIZE = 360;

/** Network mode: settings, the worker that trains, and the pictures it feeds. */
export class NetworkView {
  private worker: Worker | undefined;
  private running = false;
  private x: Float64Array = new Float64Array(0);
  private y: Float64Array = new Float64Array(0);
  private grid: Uint8Array | undefined;
  private res = 0;
  private lossSteps: number[] = [];
  private losses: number[] = [];
  /** Training time until the training accuracy first reached 95% (ms), for the status line and the browser test. */
  private reached95: number | undefined;

  constructor(
    private settings: NetworkSettings,
    private dataset: DatasetName,
    private points: ClickedPoint[],
    private readonly onChange: (settings: NetworkSettings, dataset: DatasetName, points: ClickedPoint[]) => void,
  ) {
    const fill = (id: string, options: readonly string[], value: string) => {
      const s = $<HTMLSelectElement>(id);
      s.innerHTML = options.map((o) => `<option>${o}</option>`).join('');
      s.value = value;
    };
    fill('dataset', DATASETS, dataset);
    fill('activation', ACTIVATIONS, settings.activation);
    fill('optimizer', OPTIMIZERS, settings.optimizer);
    $<HTMLInputElement>('layers').value = settings.hidden.join('-');
    $<HTMLInputElement>('lr').value = String(settings.lr);
    $<HTMLInputElement>('batch').value = String(settings.batchSize);
    for (const id of ['dataset', 'activation', 'optimizer', 'layers', 'lr', 'batch']) $(id).addEventListener('change', () => this.readSettings());
    $('train').addEventListener('click', () => this.send({ type: this.running ? 'pause' : 'run' }));
    $('net-step').addEventListener('click', () => this.send({ type: 'step' }));
    $('net-reset').addEventListener('click', () => this.restart());
    $('layer').addEventListener('change', () => this.send({ type: 'inspect', layer: $<HTMLSelectElement>('layer').value }));
    $('boundary').addEventListener('click', (e) => this.click(e));
    for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('#network-mode .download'))) {
      b.addEventListener('click', () => downloadSvg($(b.dataset.target as string), b.dataset.name as string));
    }
  }

  /** Starts (or restarts) the worker with the current settings. */
  restart(): void {
    this.worker?.terminate();
    this.worker = new Worker(new URL('../network/worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    this.running = false;
    this.grid = undefined;
    this.lossSteps = [];
    this.losses = [];
    this.reached95 = undefined;
    $('click-class-label').hidden = this.dataset !== 'custom';
    this.send({ type: 'init', settings: this.settings, dataset: this.dataset, points: this.points });
    this.draw();
  }

  stop(): void {
    if (this.running) this.send({ type: 'pause' });
  }

  private send(m: ToWorker): void {
    this.worker?.postMessage(m);
  }

  private readSettings(): void {
    const hiddenText = $<HTMLInputElement>('layers').value.trim();
    const hidden = hiddenText === '' ? [] : hiddenText.split(/[-,\s]+/).map(Number);
    const lr = Number($<HTMLInputElement>('lr').value);
    const batch = Number($<HTMLInputElement>('batch').value);
    const bad = !hidden.every((h) => Number.isInteger(h) && h > 0 && h <= 256) || !(lr > 0) || !(Number.isInteger(batch) && batch > 0);
    $('net-status').textContent = bad ? 'layers: widths like 32-32; learning rate > 0; batch a whole number > 0' : '';
    if (bad) return;
    this.dataset = $<HTMLSelectElement>('dataset').value as DatasetName;
    this.settings = {
      ...this.settings,
      hidden,
      activation: $<HTMLSelectElement>('activation').value as NetworkSettings['activation'],
      optimizer: $<HTMLSelectElement>('optimizer').value as NetworkSettings['optimizer'],
      lr,
      batchSize: batch,
    };
    this.onChange(this.settings, this.dataset, this.points);
    this.restart();
  }

  private click(e: MouseEvent): void {
    if (this.dataset !== 'custom') return;
    const svg = $('boundary').querySelector('svg');
    if (!svg) return;
    const r = svg.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * 2 * LIM - LIM;
    const py = LIM - ((e.clientY - r.top) / r.height) * 2 * LIM;
    this.points = [...this.points, [Math.round(px * 1000) / 1000, Math.round(py * 1000) / 1000, Number($<HTMLSelectElement>('click-class').value)]];
    this.onChange(this.settings, this.dataset, this.points);
    this.restart();
  }

  private receive(m: FromWorker): void {
    if (m.type === 'error') {
      $('net-status').textContent = `error: ${m.message}`;
      return;
    }
    if (m.type === 'ready') {
      this.x = m.x;
      this.y = m.y;
      const select = $<HTMLSelectElement>('layer');
      select.innerHTML = m.layers.map((l) => `<option>${l}</option>`).join('');
      const kernel = $('kernel');
      kernel.textContent = `matmul kernel in the worker: ${m.kernel}`;
      kernel.dataset.kernel = m.kernel;
      this.draw();
      return;
    }
    this.running = m.running;
    $('train').textContent = m.running ? 'Pause' : 'Train';
    if (Number.isFinite(m.loss)) {
      this.lossSteps.push(m.steps);
      this.losses.push(m.loss);
    }
    if (this.reached95 === undefined && m.accuracy >= 0.95) this.reached95 = m.trainMs;
    const acc = Number.isFinite(m.accuracy) ? `${(m.accuracy * 100).toFixed(1)}%` : '—';
    const status = $('net-status');
    status.textContent = `step ${m.steps} · loss ${Number.isFinite(m.loss) ? m.loss.toFixed(4) : '—'} · training accuracy ${acc} · ${(m.trainMs / 1000).toFixed(1)} s training${this.reached95 !== undefined ? ` · 95% after ${(this.reached95 / 1000).toFixed(2)} s` : ''}`;
    status.dataset.accuracy = String(m.accuracy);
    status.dataset.steps = String(m.steps);
    if (this.reached95 !== undefined) status.dataset.reached95 = String(this.reached95);
    if (m.grid) {
      this.grid = m.grid;
      this.res = m.res;
    }
    if (m.health !== undefined) $('health').textContent = m.health;
    if (m.layer) $('layer-view').innerHTML = layerSvg(m.layer.name, m.layer.shape, m.layer.weight, m.layer.weightGrad, m.layer.bias, m.layer.biasGrad);
    this.draw();
  }

  private draw(): void {
    $('boundary').innerHTML = boundarySvg(this.grid, this.res, this.x, this.y, SIZE, LIM);
    $('loss-curve').innerHTML = lossSvg(this.lossSteps, this.losses);
  }
}
