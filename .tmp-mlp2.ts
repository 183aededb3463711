import { createRandom } from './src/analysis/random';
import { fitMlp } from './src/analysis/probing/mlp';
const r = createRandom(1); const n = 630, dim = 256;
const x = Float64Array.from({length: n*dim}, () => r.normal()); const y = Uint8Array.from({length:n}, (_, i) => (x[i*dim] + x[i*dim+1] > 0 ? 1 : 0));
for (let k=0;k<2;k++){ const t=performance.now(); const f = fitMlp(x, y, dim, {hidden:64, maxEpochs: 20, patience: 1000}, createRandom(2)); console.log('epochs', f.epochs, 'ms/epoch', (performance.now()-t)/f.epochs); }
