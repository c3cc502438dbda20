import 'reflect-metadata';
import { ExpressionView } from './ui/expression-view';
import { NetworkView } from './ui/network-view';
import { decodeState, encodeState, LabState } from './url-state';

/** The page: two modes, and the state of both kept in the URL hash so a link restores it. */
const state: LabState = decodeState(location.hash);
const save = () => history.replaceState(null, '', encodeState(state));

const expression = new ExpressionView((formula, values) => {
  state.formula = formula;
  state.values = values;
  save();
});
const network = new NetworkView(state.network, state.dataset, state.points, (settings, dataset, points) => {
  state.network = settings;
  state.dataset = dataset;
  state.points = points;
  save();
});

let networkStarted = false;
function show(mode: LabState['mode']): void {
  state.mode = mode;
  (document.getElementById('expression-mode') as HTMLElement).hidden = mode !== 'expression';
  (document.getElementById('network-mode') as HTMLElement).hidden = mode !== 'network';
  for (const tab of Array.from(document.querySelectorAll<HTMLButtonElement>('.tab'))) tab.classList.toggle('active', tab.dataset.mode === mode);
  if (mode === 'network' && !networkStarted) {
    networkStarted = true;
    network.restart();
  }
  if (mode === 'expression') network.stop();
  save();
}
for (const tab of Array.from(document.querySelectorAll<HTMLButtonElement>('.tab'))) tab.addEventListener('click', () => show(tab.dataset.mode as LabState['mode']));

expression.load(state.formula, state.values);
show(state.mode);
// For the browser test and the curious: the lab's views.
(window as unknown as { lab: unknown }).lab = { expression, network, state };
