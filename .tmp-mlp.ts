import { readFileSync } from 'node:fs';
import { createRandom } from './src/analysis/random';
import { fitMlp, predictMlp } from './src/analysis/probing/mlp';
import { fitScaler, applyScaler } from './src/analysis/probing/standardize';
const d = JSON.parse(readFileSync('test/fixtures/probing/cases.json','utf8'));
for (const c of d.cases) {
  const xTr=Float64Array.from(c.xTrain), y=Uint8Array.from(c.yTrain), xTe=Float64Array.from(c.xTest), yt=c.yTest;
  const sc=fitScaler(xTr,c.dim); const a=applyScaler(sc,xTr,c.dim), b=applyScaler(sc,xTe,c.dim);
  const acc:number[]=[]; const ep:number[]=[];
  for(let s=0;s<20;s++){const f=fitMlp(a,y,c.dim,{hidden:64},createRandom(s)); const p=predictMlp(f.model,b); let k=0; p.forEach((v,i)=>{if(v===yt[i])k++}); acc.push(k/yt.length); ep.push(f.epochs);}
  const m=acc.reduce((x,z)=>x+z)/20; console.log(c.name, m, Math.sqrt(acc.reduce((x,z)=>x+(z-m)**2,0)/20), ep.reduce((x,z)=>x+z)/20);
}
